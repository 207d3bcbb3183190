"""How sure a ranking is: Monte Carlo uncertainty and variance-based sensitivity.

As the OECD/JRC Handbook on Constructing Composite Indicators (2008, ch. 7) and
COINr's ``get_sensitivity`` do it, the assumptions behind a ranking are drawn
at random many times and every unit's rank is recomputed each time:

- points: each indicator's points x U(1 - a, 1 + a) (default a = 0.2);
- scoring thresholds: each indicator's thresholds (linear zero/full, threshold
  bound, step x's) x U(1 - b, 1 + b), one factor per indicator and run, which
  keeps steps ascending and zero != full;
- the missing-value policy: ``zero`` (the framework's rule), ``excluded`` (a
  missing indicator leaves the unit's maximum, so its points are re-spread over
  the indicators the unit reported), or ``both`` (a fair coin per run).

The indicator scores do not depend on the points, so they are computed once;
a run's totals for all units are then one row of a matrix product (runs x
indicators) @ (indicators x units), done in chunks. Only threshold noise needs
the scores again, run by run. Recognition in a run compares the unit's value
with the rule's share of the maximum (80 of 100 points stays 80 % when the
points move) and checks the mandatory indicators on that run's scores.

`sensitivity` estimates first-order and total Sobol' indices of the ranking
to each pillar's points (the indicators' multipliers grouped by pillar), with
the Saltelli (2010) estimator for first order and Jansen (1999) for total,
on the output COINr uses: the mean absolute shift of the units' ranks from
their nominal ranks. Everything is seeded: the same seed gives the same numbers.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from chiso.engine import kernels
from chiso.engine.errors import EngineError, problem
from chiso.engine.framework import Framework
from chiso.engine.kernels import TOLERANCE
from chiso.engine.scoring import (
    Results,
    _checked_inputs,
    _plan,
    leaf_raw_values,
    leaf_scores,
    score,
)
from chiso.engine.values import Values

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]
Ranks = npt.NDArray[np.int32]
MissingPolicy = Literal["zero", "excluded", "both"]

# Runs per matrix product: 256 x 3,321 units of float64 is 7 MB.
CHUNK: Final = 256


@dataclass(frozen=True, eq=False)
class RankUncertainty:
    """Per unit (in the order of the values scored): nominal and simulated ranks."""

    units: tuple[str, ...]
    rank: npt.NDArray[np.int64]
    median_rank: Vector
    p05: Vector
    p95: Vector
    p_recognized: Vector | None
    """Share of runs in which the unit is recognized; None without a recognition rule."""
    runs: int
    seed: int

    def order(self) -> npt.NDArray[np.intp]:
        """Rows by nominal rank, then median rank, then unit code."""
        order: npt.NDArray[np.intp] = np.lexsort(
            (np.array(self.units, dtype=str), self.median_rank, self.rank)
        )
        return order

    def to_records(self) -> list[dict[str, Any]]:
        """Rows of the uncertainty file (unit, rank, median_rank, p05, p95, p_recognized)."""
        records = []
        for row in self.order().tolist():
            records.append(
                {
                    "unit": self.units[row],
                    "rank": int(self.rank[row]),
                    "median_rank": float(self.median_rank[row]),
                    "p05": float(self.p05[row]),
                    "p95": float(self.p95[row]),
                    "p_recognized": None
                    if self.p_recognized is None
                    else float(self.p_recognized[row]),
                }
            )
        return records


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Sobol' indices of the mean absolute rank shift to each pillar's points."""

    pillars: tuple[str, ...]
    first_order: Vector
    total: Vector
    samples: int
    variance: float
    """Variance of the output; the indices are NaN when it is 0 (nothing moves)."""


@dataclass(frozen=True, eq=False)
class _Model:
    """What every run shares: the nominal results and the indicators' scores."""

    results: Results
    points: Vector
    scores: Matrix
    """indicators (file order) x units."""
    present: Matrix
    """indicators x units: 1 where the unit has a value."""
    mandatory: npt.NDArray[np.intp]
    pass_marks: Vector
    share_needed: float | None
    all_mandatory: bool
    framework: Framework
    values: Values


def _model(framework: Framework, values: Values) -> _Model:
    results = score(framework, values)
    positions = [index for index, node in enumerate(framework.nodes) if node.is_leaf]
    scores = np.ascontiguousarray(results.node_values[:, positions].T)
    present = (~np.isnan(results.leaf_values.T)).astype(np.float64)
    leaves = framework.leaves
    mandatory = np.array([i for i, leaf in enumerate(leaves) if leaf.mandatory], dtype=np.intp)
    pass_marks = np.array(
        [leaves[i].pass_ if leaves[i].pass_ is not None else 1.0 for i in mandatory.tolist()]
    )
    rule = framework.recognition
    share: float | None = None
    if rule is not None:
        if rule.min_points is not None:
            total = framework.max_points
            share = rule.min_points / total if total > 0 else math.inf
        else:
            share = rule.min_value
    return _Model(
        results=results,
        points=np.array([leaf.points or 0.0 for leaf in leaves]),
        scores=scores,
        present=present,
        mandatory=mandatory,
        pass_marks=pass_marks,
        share_needed=share,
        all_mandatory=bool(rule is not None and rule.all_mandatory),
        framework=framework,
        values=values,
    )


def rank_uncertainty(
    framework: Framework,
    values: Values,
    *,
    runs: int = 1000,
    seed: int = 0,
    points_noise: float = 0.2,
    threshold_noise: float = 0.0,
    missing: MissingPolicy = "zero",
) -> RankUncertainty:
    """Nominal rank, median rank, 5th-95th percentile ranks and P(recognized) per unit."""
    _check(runs, points_noise, threshold_noise, missing)
    model = _model(framework, values)
    rng = np.random.default_rng(seed)
    leaves = len(model.points)
    multipliers = rng.uniform(1 - points_noise, 1 + points_noise, (runs, leaves))
    factors = (
        rng.uniform(1 - threshold_noise, 1 + threshold_noise, (runs, leaves))
        if threshold_noise > 0
        else None
    )
    excluded = _policies(rng, runs, missing)
    ranks = np.empty((runs, len(values.units)), dtype=np.int32)
    recognized = np.zeros(len(values.units))
    for start, value, met in _runs(model, multipliers, factors, excluded):
        ranks[start : start + len(value)] = _ranks(value)
        if model.share_needed is not None:
            enough = value >= model.share_needed - TOLERANCE * max(1.0, model.share_needed)
            recognized += (enough & met).sum(axis=0)
    ranks.sort(axis=0)
    median, p05, p95 = (_quantile(ranks, q) for q in (0.5, 0.05, 0.95))
    return RankUncertainty(
        units=values.units,
        rank=model.results.rank,
        median_rank=median,
        p05=p05,
        p95=p95,
        p_recognized=None if model.share_needed is None else recognized / runs,
        runs=runs,
        seed=seed,
    )


def sensitivity(
    framework: Framework,
    values: Values,
    *,
    samples: int = 512,
    seed: int = 0,
    points_noise: float = 0.2,
) -> Sensitivity:
    """First-order (Saltelli) and total (Jansen) indices per pillar; N (pillars + 2) runs."""
    _check(samples, points_noise, 0.0, "zero")
    model = _model(framework, values)
    pillars = tuple(root.code for root in framework.tree)
    group = _pillar_of_leaf(framework)
    rng = np.random.default_rng(seed)
    leaves = len(model.points)
    a = rng.uniform(1 - points_noise, 1 + points_noise, (samples, leaves))
    b = rng.uniform(1 - points_noise, 1 + points_noise, (samples, leaves))
    mixed = [np.where(group == j, b, a) for j in range(len(pillars))]
    design = np.concatenate([a, b, *mixed])
    nominal = model.results.rank.astype(np.float64)
    output = np.empty(len(design))
    excluded = np.zeros(len(design), dtype=np.bool_)
    for start, value, _ in _runs(model, design, None, excluded):
        output[start : start + len(value)] = np.abs(_ranks(value) - nominal).mean(axis=1)
    y_a, y_b = output[:samples], output[samples : 2 * samples]
    both = np.concatenate([y_a, y_b])
    variance = float(np.var(both))
    # Centred: E[y_ab - y_a] is 0, so taking the mean off y_b leaves the estimate
    # unbiased and removes most of its noise (the mean rank shift is far from 0).
    centred = y_b - both.mean()
    first = np.full(len(pillars), np.nan)
    total = np.full(len(pillars), np.nan)
    if variance > 0:
        for j in range(len(pillars)):
            y_ab = output[(2 + j) * samples : (3 + j) * samples]
            first[j] = np.mean(centred * (y_ab - y_a)) / variance
            total[j] = np.mean((y_a - y_ab) ** 2) / (2 * variance)
    return Sensitivity(pillars, first, total, samples, variance)


def _check(runs: int, points_noise: float, threshold_noise: float, missing: str) -> None:
    problems = []
    if runs < 1:
        message = f"runs must be 1 or more, not {runs}"
        problems.append(
            problem("out_of_range", message, "runs", key="runs", minimum=1, maximum="", found=runs)
        )
    for name, noise in (("points_noise", points_noise), ("threshold_noise", threshold_noise)):
        if not 0.0 <= noise < 1.0:
            message = f"{name} must be in [0, 1), not {noise:g}"
            problems.append(
                problem("out_of_range", message, name, key=name, minimum=0, maximum=1, found=noise)
            )
    if missing not in ("zero", "excluded", "both"):
        message = f"missing must be zero, excluded or both, not {missing}"
        choices = "zero, excluded, both"
        problems.append(
            problem("bad_choice", message, "missing", key="missing", choices=choices, found=missing)
        )
    if problems:
        raise EngineError(problems)


def _policies(rng: np.random.Generator, runs: int, missing: MissingPolicy) -> npt.NDArray[np.bool_]:
    """Per run: True where missing indicators are excluded (points re-spread)."""
    if missing == "both":
        return rng.random(runs) < 0.5
    return np.full(runs, missing == "excluded")


def _pillar_of_leaf(framework: Framework) -> npt.NDArray[np.intp]:
    index = {leaf.code: j for j, root in enumerate(framework.tree) for leaf in root.walk()}
    return np.array([index[leaf.code] for leaf in framework.leaves], dtype=np.intp)


def _runs(
    model: _Model,
    multipliers: Matrix,
    factors: Matrix | None,
    excluded: npt.NDArray[np.bool_],
) -> Iterator[tuple[int, Matrix, npt.NDArray[np.bool_]]]:
    """(first run, runs x units values, runs x units mandatory met) chunk by chunk."""
    weights = multipliers * model.points
    units = model.scores.shape[1]
    for start in range(0, len(weights), CHUNK):
        w = weights[start : start + CHUNK]
        if factors is None:
            totals = w @ model.scores
            met = np.broadcast_to(_met(model, model.scores), (len(w), units))
        else:
            totals = np.empty((len(w), units))
            met = np.empty((len(w), units), dtype=np.bool_)
            for offset in range(len(w)):
                scores = _rescored(model, factors[start + offset])
                totals[offset] = w[offset] @ scores
                met[offset] = _met(model, scores)
        drop = excluded[start : start + len(w)]
        maximum = w.sum(axis=1)[:, np.newaxis]
        if drop.any():
            # Each unit's own maximum: the points of the indicators it reported.
            maximum = np.repeat(maximum, units, axis=1)
            maximum[drop] = w[drop] @ model.present
        yield start, kernels.node_values(totals, maximum), met


def _met(model: _Model, scores: Matrix) -> npt.NDArray[np.bool_]:
    if not model.all_mandatory or len(model.mandatory) == 0:
        return np.ones(scores.shape[1], dtype=np.bool_)
    met = kernels.met(scores[model.mandatory], model.pass_marks)
    result: npt.NDArray[np.bool_] = np.all(met, axis=0)
    return result


def _rescored(model: _Model, factor: Vector) -> Matrix:
    """indicators x units: the scores with every threshold of indicator i times factor[i]."""
    plan = _plan(model.framework)
    cached = model.framework._memo.get("uncertainty-raw")
    if isinstance(cached, tuple) and cached[0] is model.values:
        raw: Matrix = cached[1]
    else:
        raw = leaf_raw_values(plan, _checked_inputs(model.framework, model.values))
        model.framework._memo["uncertainty-raw"] = (model.values, raw)
    # Factors per plan row (indicators grouped by method), from file order.
    by_row = np.empty(len(factor))
    by_row[plan.leaf_rows] = factor
    blocks = plan.blocks
    linear, threshold, steps = (by_row[blocks[m]] for m in ("linear", "threshold", "steps"))
    noisy = dataclasses.replace(
        plan,
        linear_zero=plan.linear_zero * linear,
        linear_full=plan.linear_full * linear,
        threshold_low=plan.threshold_low * threshold,
        threshold_high=plan.threshold_high * threshold,
        steps_x=plan.steps_x * steps[:, np.newaxis],
    )
    scores: Matrix = leaf_scores(noisy, raw)[plan.leaf_rows]
    return scores


def _ranks(values: Matrix) -> Ranks:
    """Competition ranks of every row, highest first (`kernels.rank_descending`)."""
    ranks: Ranks = kernels.rank_descending(values).astype(np.int32)
    return ranks


def _quantile(ordered: Ranks, q: float) -> Vector:
    """The q quantile of every column of an ascending array (linear interpolation)."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    result: Vector = ordered[low] + fraction * (ordered[high].astype(np.float64) - ordered[low])
    return result
