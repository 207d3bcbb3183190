"""History across the 1 July 2025 reform: a merged commune's earlier values.

A commune formed by merging others has no figures of its own before the
reform. `derive_values` gives it figures for an earlier period from its
predecessors' figures by a declared rule:

- ``mean``: the plain mean of the predecessors that reported the value (as the
  DTI did for merged provinces);
- ``area`` or ``population``: the mean weighted by the predecessors' area or
  population, re-normalised over those that reported the value. Where a weight
  is missing for any predecessor of a successor, that successor falls back to
  the plain mean, and says so in `rule_used`.

Every derived figure is flagged (`DerivedValues.derived`) so that pages show
it as "suy ra"; the result is an ordinary `Values` that can be scored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from chiso.engine.errors import EngineError, Problem
from chiso.engine.values import Values

DeriveRule = Literal["mean", "area", "population"]
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class DerivedValues:
    """Successors' values for an earlier period, derived from their predecessors."""

    values: Values
    derived: npt.NDArray[np.bool_]
    """units x codes: True where the figure is derived (every figure with a value)."""
    rule: DeriveRule
    rule_used: dict[str, DeriveRule]
    """Per successor: the rule applied (``mean`` where a weight was missing)."""
    sources: dict[str, tuple[str, ...]]
    """Per successor: the predecessors found in the earlier values."""


def derive_values(
    values: Values,
    predecessors: Mapping[str, Sequence[str]],
    rule: DeriveRule = "mean",
    weights: Mapping[str, float] | None = None,
) -> DerivedValues:
    """Values of each successor (keys of `predecessors`) from its predecessors' rows.

    `weights` gives each predecessor's area or population for the weighted rules.
    A predecessor missing from `values` is left out; a successor none of whose
    predecessors is there has no values (all NaN).
    """
    if rule not in ("mean", "area", "population"):
        raise EngineError([Problem(f"unknown rule {rule!r}: use mean, area or population")])
    if rule != "mean" and weights is None:
        raise EngineError([Problem(f"rule {rule} needs the predecessors' {rule}")])
    row = {unit: index for index, unit in enumerate(values.units)}
    successors = list(predecessors)
    matrix = np.full((len(successors), len(values.codes)), np.nan)
    used: dict[str, DeriveRule] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for index, successor in enumerate(successors):
        found = tuple(unit for unit in predecessors[successor] if unit in row)
        sources[successor] = found
        weight = _weights(found, rule, weights)
        used[successor] = rule if weight is not None else "mean"
        if not found:
            continue
        block = values.matrix[[row[unit] for unit in found]]
        share = np.ones(len(found)) if weight is None else weight
        matrix[index] = _weighted_mean(block, share)
    derived = ~np.isnan(matrix)
    return DerivedValues(Values(successors, values.codes, matrix), derived, rule, used, sources)


def _weights(
    found: Sequence[str], rule: DeriveRule, weights: Mapping[str, float] | None
) -> npt.NDArray[np.float64] | None:
    if rule == "mean" or weights is None or not found:
        return None
    given = [weights.get(unit) for unit in found]
    if any(w is None or not math.isfinite(w) or w <= 0 for w in given):
        return None
    return np.array(given, dtype=np.float64)


def _weighted_mean(block: Matrix, weight: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per column: sum(w x) / sum(w) over the rows with a value; NaN where none has."""
    present = ~np.isnan(block)
    w = np.where(present, weight[:, np.newaxis], 0.0)
    total = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(present, block, 0.0) * w).sum(axis=0) / total
    result: npt.NDArray[np.float64] = np.where(total > 0, mean, np.nan)
    return result
