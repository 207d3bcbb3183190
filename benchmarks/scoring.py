"""Benchmark of the scoring engine against the ways people score without it.

Builds a synthetic framework (150 indicators with every scoring method, 30 of
them formulas over elements) and 10,000 units of values (10% missing) from a
seeded RNG, writes the 1.5-million-row long values CSV the `chiso score` command
reads, and times:

- reading that CSV into `Values` exactly as the CLI does (`csv_read_s`);
- `score()` with `time_score` (shared with benchmarks/analysis.py, so that the
  two report the same measurement): `engine_ms` is the median wall time of
  `SCORE_RUNS` runs after a warm-up (target <= 8 ms), `engine_cpu_ms` the median
  CPU time of the process (a busy shared machine inflates it less),
  `engine_min_ms` the quickest run, and `leaf_arrays_ms` what the first use of
  `Results.leaf_values` and `leaf_points` adds (built on first use);
- a plain Python loop per unit and indicator, as a spreadsheet macro would do it;
- pandas, column by column, the way an analyst would write it.

All three must agree (max abs diff < 1e-9) before one JSON line of figures is
printed. Run: ``python benchmarks/scoring.py``.
"""

from __future__ import annotations

import csv
import json
import math
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chiso.cli import load_values  # noqa: E402  (after the path fix above)
from chiso.engine import Framework, Results, Values, parse_framework, score  # noqa: E402
from chiso.engine.formula import BinOp, Expr, Name, Negate, Number  # noqa: E402
from chiso.engine.kernels import TOLERANCE  # noqa: E402

UNITS = 10_000
PILLARS, INDICES, PER_INDEX = 3, 5, 10  # 150 indicators
FORMULAS = 30
MISSING = 0.10
SEED = 20241120
SCORE_RUNS = 9


# ---------------------------------------------------------------------------
# Synthetic data


def build_framework(rng: np.random.Generator) -> tuple[str, dict[str, str]]:
    """The framework's YAML text and, per input code, the kind of value to generate."""
    elements = [f"e{number:02d}" for number in range(1, FORMULAS + 1)]
    kinds: dict[str, str] = dict.fromkeys(elements, "count")
    leaf_total = PILLARS * INDICES * PER_INDEX
    formula_leaves = set(rng.choice(leaf_total, size=FORMULAS, replace=False).tolist())
    methods = ["linear", "lower", "threshold", "steps", "boolean", "relative"]
    patterns = [
        "100 * {a} / {b}",
        "min({a}, {b}) / max({c}, 1) * 100",
        "({a} - {b}) / 10 + {c} / 20",
        "-{a} / 10 + 2 * {b} / 10",
    ]
    tree: list[dict[str, Any]] = []
    leaf_number = 0
    formula_number = 0
    for pillar in range(1, PILLARS + 1):
        indices = []
        for index in range(1, INDICES + 1):
            leaves = []
            for item in range(1, PER_INDEX + 1):
                code = f"P{pillar}.{index}.{item:02d}"
                leaf: dict[str, Any] = {
                    "code": code,
                    "title": {"vi": f"Chỉ số {code}", "en": f"Indicator {code}"},
                    "points": int(rng.integers(1, 11)),
                }
                if leaf_number in formula_leaves:
                    a, b, c = (elements[(formula_number + step) % FORMULAS] for step in (0, 7, 13))
                    pattern = patterns[formula_number % len(patterns)]
                    leaf["formula"] = pattern.format(a=a, b=b, c=c)
                    leaf["score"] = {"method": "linear", "zero": 0, "full": 90}
                    if formula_number % 3 == 1:
                        leaf["score"] = {"method": "threshold", "at_least": 50}
                    elif formula_number % 3 == 2:
                        leaf["score"] = {
                            "method": "steps",
                            "steps": [[10, 0.25], [40, 0.5], [80, 1]],
                        }
                    formula_number += 1
                else:
                    method = methods[int(rng.integers(len(methods)))]
                    leaf["score"], kinds[code] = _entered(method, leaf)
                leaf["mandatory"] = bool(leaf_number % 25 == 0)
                leaves.append(leaf)
                leaf_number += 1
            indices.append(
                {
                    "code": f"P{pillar}.{index}",
                    "title": {"vi": f"Chỉ số chính {pillar}.{index}"},
                    "children": leaves,
                }
            )
        tree.append(
            {"code": f"P{pillar}", "title": {"vi": f"Trụ cột {pillar}"}, "children": indices}
        )
    document = {
        "format": "chiso-framework/1",
        "code": "benchmark-2024",
        "title": {"vi": "Bộ chỉ số thử nghiệm", "en": "Benchmark framework"},
        "level": "commune",
        "year": 2024,
        "recognition": {"min_value": 0.5, "all_mandatory": True},
        "elements": [
            {"code": code, "title": {"vi": f"Yếu tố {code}"}, "type": "integer"}
            for code in elements
        ],
        "tree": tree,
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False), kinds


def _entered(method: str, leaf: dict[str, Any]) -> tuple[dict[str, Any], str]:
    if method == "linear":
        return {"method": "linear", "zero": 0, "full": 90}, "percent"
    if method == "lower":
        leaf["type"] = "number"
        return {"method": "linear", "zero": 50, "full": 5}, "number"
    if method == "threshold":
        leaf["type"] = "percent"
        return {"method": "threshold", "at_least": 60}, "percent"
    if method == "steps":
        leaf["type"] = "integer"
        return {"method": "steps", "steps": [[1, 0.25], [2, 0.5], [3, 0.75], [4, 1]]}, "steps"
    if method == "boolean":
        return {"method": "boolean"}, "boolean"
    return {"method": "relative"}, "number"


def value_texts(kind: str, rng: np.random.Generator, size: int) -> list[str]:
    """`size` values as an official would type them (decimal commas, có/không)."""
    if kind == "count":
        return [str(number) for number in rng.integers(0, 1000, size).tolist()]
    if kind == "percent":
        numbers = np.round(rng.uniform(0, 100, size), 1).tolist()
        # Half written with the Vietnamese decimal comma.
        return [
            format(x, "g").replace(".", ",") if i % 2 else format(x, "g")
            for i, x in enumerate(numbers)
        ]
    if kind == "steps":
        return [str(number) for number in rng.integers(0, 6, size).tolist()]
    if kind == "boolean":
        words = np.array(["có", "không", "1", "0", "Đạt", "không đạt"])
        return list(words[rng.integers(0, len(words), size)].tolist())
    return [format(x, ".6g") for x in rng.normal(30, 12, size).tolist()]


def write_values(
    path: Path, framework: Framework, kinds: dict[str, str], rng: np.random.Generator
) -> int:
    """Write the long values CSV (every unit x every input code); return its row count."""
    units = [f"38.380.{number:05d}" for number in range(UNITS)]
    codes = framework.input_codes
    columns = {code: value_texts(kinds[code], rng, UNITS) for code in codes}
    missing = rng.random((UNITS, len(codes))) < MISSING
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["unit", "code", "value"])
        for row, unit in enumerate(units):
            writer.writerows(
                (unit, code, "" if missing[row, column] else columns[code][row])
                for column, code in enumerate(codes)
            )
    return len(units) * len(codes)


# ---------------------------------------------------------------------------
# The Python loop, as a spreadsheet macro would do it


def _slack(bound: float) -> float:
    return TOLERANCE * max(1.0, abs(bound))


def scalar(node: Expr, cells: dict[str, float]) -> float:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return cells[node.code]
    if isinstance(node, Negate):
        return -scalar(node.operand, cells)
    if isinstance(node, BinOp):
        left, right = scalar(node.left, cells), scalar(node.right, cells)
        if math.isnan(left) or math.isnan(right):
            return math.nan
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        return math.nan if right == 0 else left / right
    args = [scalar(arg, cells) for arg in node.args]
    if any(math.isnan(arg) for arg in args):
        return math.nan
    return min(args) if node.function == "min" else max(args)


def python_loop(framework: Framework, values: Values) -> tuple[list[float], list[list[float]]]:
    rows = values.matrix.tolist()
    column = {code: index for index, code in enumerate(values.codes)}
    leaves = framework.leaves
    branches = [node for node in framework.nodes if not node.is_leaf]
    branch_index = {node.code: index for index, node in enumerate(branches)}
    ancestors = []
    for leaf in leaves:
        chain, parent = [], leaf.parent
        while parent is not None:
            chain.append(branch_index[parent])
            parent = framework.node(parent).parent
        ancestors.append(chain)
    formulas = [framework.formula(leaf.code) for leaf in leaves]

    def raw_value(row: list[float], position: int) -> float:
        formula = formulas[position]
        if formula is None:
            return row[column[leaves[position].code]]
        cells = {element.code: row[column[element.code]] for element in framework.elements}
        return scalar(formula, cells)

    # Like MIN() and MAX() over a column before the per-unit macro runs.
    low: dict[int, float] = {}
    high: dict[int, float] = {}
    for position, leaf in enumerate(leaves):
        if leaf.score is not None and leaf.score.method == "relative":
            present = [v for row in rows if not math.isnan(v := raw_value(row, position))]
            low[position], high[position] = min(present), max(present)

    unit_values: list[float] = []
    unit_branches: list[list[float]] = []
    for row in rows:
        branch_points = [0.0] * len(branches)
        total = 0.0
        for position, leaf in enumerate(leaves):
            rule = leaf.score
            assert rule is not None and leaf.points is not None
            v = raw_value(row, position)
            if math.isnan(v):
                s = 0.0
            elif rule.method == "linear":
                assert rule.zero is not None and rule.full is not None
                s = min(1.0, max(0.0, (v - rule.zero) / (rule.full - rule.zero)))
            elif rule.method == "threshold":
                if rule.at_least is not None:
                    s = 1.0 if v >= rule.at_least - _slack(rule.at_least) else 0.0
                else:
                    assert rule.at_most is not None
                    s = 1.0 if v <= rule.at_most + _slack(rule.at_most) else 0.0
            elif rule.method == "steps":
                s = 0.0
                for x, step in rule.steps:
                    if v >= x - _slack(x):
                        s = step
            elif rule.method == "boolean":
                s = 1.0 if v != 0 else 0.0
            else:
                span = high[position] - low[position]
                s = 1.0 if span == 0 else (v - low[position]) / span
            earned = s * leaf.points
            total += earned
            for branch in ancestors[position]:
                branch_points[branch] += earned
        unit_values.append(total / framework.max_points)
        unit_branches.append(
            [points / node.max_points for points, node in zip(branch_points, branches, strict=True)]
        )
    return unit_values, unit_branches


# ---------------------------------------------------------------------------
# pandas, the way an analyst would write it


def series(node: Expr, frame: pd.DataFrame) -> pd.Series | float:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return frame[node.code]
    if isinstance(node, Negate):
        return -series(node.operand, frame)
    if isinstance(node, BinOp):
        left, right = series(node.left, frame), series(node.right, frame)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if isinstance(right, pd.Series):
            return (left / right).where(right != 0)
        return left / right if right != 0 else left * np.nan
    args = pd.concat(
        [pd.Series(series(arg, frame), index=frame.index) for arg in node.args], axis=1
    )
    reduced = args.min(axis=1) if node.function == "min" else args.max(axis=1)
    return reduced.where(args.notna().all(axis=1))


def with_pandas(framework: Framework, values: Values) -> tuple[pd.Series, pd.DataFrame]:
    frame = pd.DataFrame(values.matrix, index=list(values.units), columns=list(values.codes))
    scores = {}
    for leaf in framework.leaves:
        rule = leaf.score
        assert rule is not None
        formula = framework.formula(leaf.code)
        column = frame[leaf.code] if formula is None else series(formula, frame)
        if rule.method == "linear":
            s = ((column - rule.zero) / (rule.full - rule.zero)).clip(0, 1)
        elif rule.method == "threshold":
            if rule.at_least is not None:
                s = (column >= rule.at_least - _slack(rule.at_least)).astype(float)
            else:
                s = (column <= rule.at_most + _slack(rule.at_most)).astype(float)
        elif rule.method == "steps":
            steps = rule.steps

            def step_score(v: float, steps: Any = steps) -> float:
                reached = [s for x, s in steps if v >= x - _slack(x)]
                return reached[-1] if reached else 0.0

            s = column.apply(step_score)
        elif rule.method == "boolean":
            s = ((column != 0) & column.notna()).astype(float)
        else:
            low, high = column.min(), column.max()
            s = (column - low) / (high - low) if high > low else column.notna().astype(float)
        scores[leaf.code] = s.fillna(0.0)
    points = pd.DataFrame(scores) * pd.Series({leaf.code: leaf.points for leaf in framework.leaves})
    # Up the tree one level at a time: leaves -> indices -> pillars.
    parents = {node.code: node.parent for node in framework.nodes}
    maxima = {node.code: node.max_points for node in framework.nodes}
    level = points.T
    branch_values = []
    while True:
        parent_of = level.index.map(parents)
        if parent_of.isna().all():
            break
        level = level.groupby(parent_of).sum()
        branch_values.append(level.T / pd.Series(maxima)[level.index])
    total = level.sum()
    value = total / framework.max_points
    # Ranks with ties within the tolerance: sort, start a new group at every gap,
    # and give each group the position of its first unit.
    ordered = value.sort_values(ascending=False, kind="stable")
    group = (ordered.diff().abs() > TOLERANCE).cumsum()
    position = pd.Series(np.arange(1, len(ordered) + 1), index=ordered.index)
    value.attrs["rank"] = position.groupby(group).transform("min")
    return value, pd.concat(branch_values, axis=1)


# ---------------------------------------------------------------------------


def time_score(framework: Framework, values: Values) -> tuple[dict[str, float], Results]:
    """`score` timed the one way both benchmarks report it (see the module docstring)."""
    results = score(framework, values)  # warm-up: the compiled framework, first-call imports
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(SCORE_RUNS):
        # The previous run's arrays are freed outside the timed part, as a server
        # scoring again and again frees them: keeping them all would time the
        # system handing out (and zeroing) fresh memory instead.
        del results
        start, start_cpu = time.perf_counter(), time.process_time()
        results = score(framework, values)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    start = time.perf_counter()
    _ = results.leaf_values, results.leaf_points
    leaf_arrays_ms = (time.perf_counter() - start) * 1000
    figures = {
        "engine_ms": round(statistics.median(wall) * 1000, 2),
        "engine_cpu_ms": round(statistics.median(cpu) * 1000, 2),
        "engine_min_ms": round(min(wall) * 1000, 2),
        "engine_runs": SCORE_RUNS,
        "leaf_arrays_ms": round(leaf_arrays_ms, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    return figures, results


def timed(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds) * 1000, result


def main() -> None:
    rng = np.random.default_rng(SEED)
    text, kinds = build_framework(rng)
    framework = parse_framework(text, source="benchmark.yaml")
    branches = [node.code for node in framework.nodes if not node.is_leaf]

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "values.csv"
        rows = write_values(path, framework, kinds, rng)
        start = time.perf_counter()
        values = load_values(framework, str(path))
        csv_read_s = time.perf_counter() - start

    engine, results = time_score(framework, values)
    engine_ms = engine["engine_ms"]
    loop_ms, (loop_values, loop_branches) = timed(lambda: python_loop(framework, values), 1)
    pandas_ms, (pandas_values, pandas_branches) = timed(lambda: with_pandas(framework, values), 3)

    engine_branches = results.node_values[:, [results.node_codes.index(c) for c in branches]]
    differences = {
        "loop value": np.abs(results.value - np.array(loop_values)).max(),
        "loop branches": np.abs(engine_branches - np.array(loop_branches)).max(),
        "pandas value": np.abs(
            results.value - pandas_values.loc[list(values.units)].to_numpy()
        ).max(),
        "pandas branches": np.abs(
            engine_branches - pandas_branches.loc[list(values.units), branches].to_numpy()
        ).max(),
        "pandas rank": np.abs(
            results.rank - pandas_values.attrs["rank"].loc[list(values.units)].to_numpy()
        ).max(),
    }
    for name, difference in differences.items():
        assert difference < 1e-9, f"{name} differs from the engine by {difference}"

    print(
        json.dumps(
            {
                "units": len(values.units),
                "indicators": len(framework.leaves),
                "rows": rows,
                **{key: value for key, value in engine.items() if key != "load_average_1min"},
                "python_loop_ms": round(loop_ms, 1),
                "pandas_ms": round(pandas_ms, 1),
                "speedup_vs_loop": round(loop_ms / engine_ms, 1),
                "speedup_vs_pandas": round(pandas_ms / engine_ms, 1),
                "csv_read_s": round(csv_read_s, 3),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "load_average_1min": engine["load_average_1min"],
            }
        )
    )


if __name__ == "__main__":
    main()
