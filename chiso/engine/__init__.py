"""chiso.engine: the pure scoring core (numpy, PyYAML on strings).

No Django, no files, no network: callers hand in text and values, and get back
a `Framework`, `Values` and `Results`, or one `EngineError` listing every
`Problem`. See docs/architecture.md for the contract and
docs/framework-format.md for the file format.

The framework model is frozen dataclasses, not pydantic: the parser already
checks every field with a stable problem code and line, so pydantic only checked
the same types twice, added ~100 ms to importing the engine and tied the pure
core to a validation library (it remains for django-ninja's API schemas only).
"""

from chiso.engine.errors import CODES as PROBLEM_CODES
from chiso.engine.errors import EngineError, Problem, ValueProblem
from chiso.engine.formula import (
    FormulaError,
    as_share,
    names,
    parse_formula,
    parse_rule,
    to_json,
)
from chiso.engine.framework import (
    FORMAT,
    Element,
    Framework,
    Node,
    Recognition,
    ScoreRule,
    ValidationRule,
    dump_framework,
    framework_from_dict,
    parse_framework,
)
from chiso.engine.history import DerivedValues, DeriveRule, derive_values
from chiso.engine.kernels import (
    TOLERANCE,
    rank_descending,
    score_boolean,
    score_linear,
    score_relative,
    score_steps,
    score_threshold,
)
from chiso.engine.plan import ElementChange, Goal, Plan, Step, plan
from chiso.engine.scoring import Results, UnitResult, incidence_matrix, score
from chiso.engine.stats import (
    Correlations,
    IndicatorSummary,
    Outlier,
    PillarCorrelation,
    change_outliers,
    correlations,
    non_discriminating,
    peer_outliers,
    pillar_correlations,
    robust_z,
    summarise,
)
from chiso.engine.uncertainty import RankUncertainty, Sensitivity, rank_uncertainty, sensitivity
from chiso.engine.values import (
    NOT_APPLICABLE,
    Values,
    check_rules,
    coerce_input,
    coerce_value,
    fitting_inputs,
    input_bounds,
    is_not_applicable,
    out_of_bounds,
    parse_values,
)
from chiso.engine.whatif import Changes, Move, WhatIf, apply_changes, what_if

__all__ = [
    "as_share",
    "Changes",
    "Move",
    "WhatIf",
    "apply_changes",
    "what_if",
    "Correlations",
    "DeriveRule",
    "DerivedValues",
    "ElementChange",
    "Goal",
    "IndicatorSummary",
    "Outlier",
    "PillarCorrelation",
    "Plan",
    "RankUncertainty",
    "Sensitivity",
    "Step",
    "change_outliers",
    "correlations",
    "derive_values",
    "non_discriminating",
    "peer_outliers",
    "pillar_correlations",
    "plan",
    "rank_uncertainty",
    "robust_z",
    "sensitivity",
    "summarise",
    "names",
    "to_json",
    "FORMAT",
    "TOLERANCE",
    "Element",
    "EngineError",
    "FormulaError",
    "Framework",
    "Node",
    "PROBLEM_CODES",
    "Problem",
    "Recognition",
    "Results",
    "ScoreRule",
    "UnitResult",
    "ValidationRule",
    "ValueProblem",
    "Values",
    "check_rules",
    "dump_framework",
    "coerce_input",
    "coerce_value",
    "fitting_inputs",
    "input_bounds",
    "is_not_applicable",
    "NOT_APPLICABLE",
    "out_of_bounds",
    "framework_from_dict",
    "incidence_matrix",
    "parse_formula",
    "parse_framework",
    "parse_rule",
    "parse_values",
    "rank_descending",
    "score",
    "score_boolean",
    "score_linear",
    "score_relative",
    "score_steps",
    "score_threshold",
]
