"""Vectorised scoring kernels: plain numpy maths that checks nothing.

The kernels take one row per indicator and one column per unit, so that each
indicator's values are contiguous in memory (gathering and scattering whole
rows is several times faster than columns). A method's parameters are vectors
with one entry per row. Values are NaN where missing, and every kernel scores a
missing value 0 (``missing: zero``: nothing reported, no points). Validation of
the inputs is the job of `chiso.engine.scoring.score`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

# Values closer than this count as equal in ranks, thresholds, steps and pass
# marks: a formula such as 100 * 29 / 100 gives 28.999999999999996, which an
# official reads as 29 and expects to reach a threshold of 29.
TOLERANCE: Final = 1e-9


def _slack(bound: Vector | Matrix) -> Vector | Matrix:
    # Relative to the size of the bound, so that it means the same for a share
    # (0..1), a percentage and a count of thousands of dossiers; an unused bound
    # (+-inf) gets no slack.
    finite = np.where(np.isfinite(bound), bound, 0.0)
    result: Vector | Matrix = TOLERANCE * np.maximum(1.0, np.abs(finite))
    return result


def _column(vector: Vector) -> Matrix:
    # One parameter per indicator row, repeated along the units.
    column: Matrix = vector[:, np.newaxis]
    return column


def _mask(values: Matrix, scratch: Mask | None) -> Mask:
    if scratch is None:
        return np.empty(values.shape, dtype=np.bool_)
    return scratch


# Each public kernel below is parameters worked out once (the `*_parameters`
# functions, which `score` keeps per framework) and a `*_into` kernel that
# writes into a block of a larger array; the `*_into` kernels may run in place
# (out is values) and take an optional boolean scratch block of the same shape.


def missing_to_zero(scores: Matrix, zeros: Matrix | None = None) -> Matrix:
    """NaN (a missing value) scores 0: nothing reported, no points.

    `zeros` (0.0 in the shape of `scores`) is optional: fmax against an array of
    zeros is several times quicker than against the number 0 or a masked write.
    """
    np.fmax(scores, np.zeros(scores.shape) if zeros is None else zeros, out=scores)
    return scores


def linear_into(
    values: Matrix,
    zero: float | Matrix,
    span: float | Matrix,
    out: Matrix,
    ones: Matrix | None = None,
) -> Matrix:
    """min((v - zero) / span, 1) with span = full - zero, numbers or columns; the
    clamp at 0 and NaN (missing) -> 0 are `missing_to_zero`'s, after.

    `ones` (1.0 in the shape of `values`) is optional, as `missing_to_zero`'s zeros.
    """
    if isinstance(zero, float) and zero == 0.0:
        # v - 0 is v (also -0.0 and NaN): one pass less.
        np.divide(values, span, out=out)
    else:
        np.subtract(values, zero, out=out)
        np.divide(out, span, out=out)
    # minimum keeps NaN (fmin would not).
    np.minimum(out, np.ones(out.shape) if ones is None else ones, out=out)
    return out


def score_linear(values: Matrix, zero: Vector, full: Vector, out: Matrix | None = None) -> Matrix:
    """clamp((v - zero) / (full - zero), 0, 1); zero > full means lower is better.

    Every kernel writes its scores into `out` when given (a block of a larger array).
    """
    scores = np.empty(values.shape) if out is None else out
    linear_into(values, _column(zero), _column(full - zero), scores)
    # fmax takes the number when the other side is NaN: a missing value scores 0.
    return missing_to_zero(scores)


def threshold_parameters(at_least: Vector, at_most: Vector) -> tuple[Matrix | None, Matrix | None]:
    """The bounds with their tolerance, as columns; None for a bound no row uses."""
    low = at_least - _slack(at_least)
    high = at_most + _slack(at_most)
    # v >= -inf and v <= +inf only say "v is not NaN", which the other test or
    # (with neither bound) `threshold_into` says by itself.
    return (
        None if np.all(low == -np.inf) else _column(low),
        None if np.all(high == np.inf) else _column(high),
    )


def threshold_into(
    values: Matrix,
    low: float | Matrix | None,
    high: float | Matrix | None,
    out: Matrix,
    scratch: Mask | None = None,
) -> Matrix:
    """1 where low <= v <= high (bounds from `threshold_parameters`), else 0."""
    # Comparisons with NaN are False: a missing value scores 0.
    inside = _mask(values, scratch)
    if low is not None:
        np.greater_equal(values, low, out=inside)
        if high is not None:
            inside &= values <= high
    elif high is not None:
        np.less_equal(values, high, out=inside)
    else:
        np.equal(values, values, out=inside)
    np.copyto(out, inside)
    return out


def score_threshold(
    values: Matrix, at_least: Vector, at_most: Vector, out: Matrix | None = None
) -> Matrix:
    """1 where at_least <= v <= at_most, else 0; an unused bound is -inf or +inf."""
    scores = np.empty(values.shape) if out is None else out
    return threshold_into(values, *threshold_parameters(at_least, at_most), scores)


@dataclass(frozen=True, eq=False)
class StepTable:
    """The steps of several indicators, worked out for `steps_into`."""

    bounds: Matrix
    """rows x width: each x less its tolerance, non-decreasing along the row."""
    table: Vector
    """Per row, a 0 (no step reached) then the row's s; flattened."""
    offsets: npt.NDArray[np.intp]
    """rows x 1: where each row's part of `table` starts."""
    shared: tuple[float, ...] | None = None
    """The bounds as plain numbers when there is one row (every row the same steps)."""


def steps_parameters(xs: Matrix, ss: Matrix) -> StepTable:
    """Row i of `xs` and `ss` holds the steps of indicator i, padded on the right
    with x = +inf so that indicators with fewer steps fit one array."""
    rows, width = xs.shape
    # x ascending: the number of steps reached is the position of the one that applies.
    bounds = np.maximum.accumulate(xs - _slack(xs), axis=1) if width else xs.copy()
    # Counted from each row's offset in the flattened table, so that the count is
    # directly the index of the score that applies.
    offsets = (np.arange(rows, dtype=np.intp) * (width + 1))[:, np.newaxis]
    table = np.concatenate([np.zeros((rows, 1)), ss], axis=1).ravel()
    shared = tuple(float(bound) for bound in bounds[0]) if rows == 1 else None
    return StepTable(bounds, table, offsets, shared)


def steps_into(
    values: Matrix,
    steps: StepTable,
    out: Matrix,
    reached: npt.NDArray[np.intp] | None = None,
    scratch: Mask | None = None,
) -> Matrix:
    """The s of the largest x <= v, else 0 (steps from `steps_parameters`)."""
    if reached is None:
        reached = np.empty(values.shape, dtype=np.intp)
    hit = _mask(values, scratch)
    width = steps.bounds.shape[1]
    bounds: list[float | Matrix] = (
        list(steps.shared)
        if steps.shared is not None
        else [steps.bounds[:, step : step + 1] for step in range(width)]
    )
    # Steps reached, counted in bytes (quick to add) when there are few of them.
    small = width < 128
    count = np.empty(values.shape, dtype=np.int8 if small else np.intp)
    if not small or not bounds:
        count[...] = 0
    for step, bound in enumerate(bounds):
        # A missing value reaches nothing and scores the 0 in front of the table.
        if small and step == 0:
            np.greater_equal(values, bound, out=count.view(np.bool_))
            continue
        np.greater_equal(values, bound, out=hit)
        np.add(count, hit.view(np.int8) if small else hit, out=count)
    # Every index is inside the table: "clip" skips the bounds check and the buffer.
    if len(steps.offsets) == 1:
        # One table for every row: the count is the index.
        np.take(steps.table, count, out=out, mode="clip")
        return out
    np.add(steps.offsets, count, out=reached)
    np.take(steps.table, reached, out=out, mode="clip")
    return out


def score_steps(values: Matrix, xs: Matrix, ss: Matrix, out: Matrix | None = None) -> Matrix:
    """The s of the largest x <= v, else 0.

    Row i of `xs` and `ss` holds the steps of indicator i, padded on the right
    with x = +inf so that indicators with fewer steps fit one array.
    """
    scores = np.empty(values.shape) if out is None else out
    return steps_into(values, steps_parameters(xs, ss), scores)


def boolean_into(values: Matrix, out: Matrix, scratch: Mask | None = None) -> Matrix:
    """1 where v is true (not 0), else 0; a missing value is not true."""
    # |NaN| > 0 is False: a missing value scores 0 without a separate NaN test.
    true = np.greater(np.abs(values, out=out), 0.0, out=_mask(values, scratch))
    np.copyto(out, true)
    return out


def score_boolean(values: Matrix, out: Matrix | None = None) -> Matrix:
    """1 where v is true (not 0), else 0; a missing value is not true."""
    return boolean_into(values, np.empty(values.shape) if out is None else out)


def relative_parameters(values: Matrix) -> tuple[Vector, Vector]:
    """(min, max - min) of each row over the units that have a value (NaN for a row
    without any, whose cells all score 0)."""
    # fmin/fmax skip NaN.
    low = np.fmin.reduce(values, axis=1, initial=np.nan)
    span = np.fmax.reduce(values, axis=1, initial=np.nan) - low
    return low, span


def relative_into(
    values: Matrix, low: Vector | Matrix, span: Vector | Matrix, out: Matrix
) -> Matrix:
    """(v - min) / (max - min) (from `relative_parameters`); 1 where max == min.

    `low` and `span` are one number per row, or blocks of the values' shape with
    the row's number in every column (quicker). A missing value stays NaN
    (`missing_to_zero` after).
    """
    if low.ndim == 1:
        low, span = _column(low), _column(span)
    flat = np.flatnonzero(span[:, 0] == 0.0)
    # Read before `out` (which may be `values`) is written.
    present = ~np.isnan(values[flat]) if flat.size else None
    # A row without values divides NaN by NaN: call it within np.errstate(invalid="ignore").
    np.subtract(values, low, out=out)
    np.divide(out, span, out=out)
    if present is not None:
        out[flat] = present
    return out


def score_relative(values: Matrix, out: Matrix | None = None) -> Matrix:
    """(v - min) / (max - min) over the units that have a value; 1 where max == min."""
    scores = np.empty(values.shape) if out is None else out
    with np.errstate(invalid="ignore", divide="ignore"):
        relative_into(values, *relative_parameters(values), scores)
    # A missing value is NaN until here; the others are >= 0.
    return missing_to_zero(scores)


def node_values(points: Matrix | Vector, maximum: Matrix | Vector | float) -> Matrix:
    """points / maximum; NaN where the maximum is 0 (nothing to score)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Matrix = np.where(np.greater(maximum, 0), points / maximum, np.nan)
    return result


def rank_descending(values: Vector | Matrix, tolerance: float = TOLERANCE) -> npt.NDArray[np.int64]:
    """Competition ranks, highest first: values within `tolerance` share (1, 2, 2, 4).

    Sorted neighbours closer than `tolerance` fall in one tie group; every unit of
    a group takes the position of the group's first unit. NaN ranks last. A matrix is
    ranked row by row (each row a ranking of its own, as the Monte Carlo runs are).
    This is the one rank function of chiso: every rank shown anywhere comes from it.
    """
    table = np.atleast_2d(values)
    runs, size = table.shape
    key = np.where(np.isnan(table), -np.inf, table)
    # Ranks depend on the sorted values only, not on the order of equal ones:
    # the quicker unstable sort gives the same ranks.
    order = np.argsort(-key, axis=1)
    ordered = np.take_along_axis(key, order, axis=1)
    starts_group = np.empty((runs, size), dtype=np.bool_)
    starts_group[:, :1] = True
    with np.errstate(invalid="ignore"):
        # -inf - -inf is NaN, which is not > tolerance: missing values tie.
        np.greater(ordered[:, :-1] - ordered[:, 1:], tolerance, out=starts_group[:, 1:])
    position = np.arange(size)
    first = np.maximum.accumulate(np.where(starts_group, position, 0), axis=1)
    ranks = np.empty((runs, size), dtype=np.int64)
    np.put_along_axis(ranks, order, first + 1, axis=1)
    result: npt.NDArray[np.int64] = ranks if np.ndim(values) > 1 else ranks[0]
    return result


def met(scores: Matrix, pass_marks: Vector) -> Mask:
    """Mandatory indicators met: s >= pass mark (1 unless the indicator sets `pass`)."""
    result: Mask = scores >= _column(pass_marks - TOLERANCE)
    return result


def at_least(amounts: Vector, minimum: float) -> Mask:
    """amounts >= minimum, forgiving the float noise of sums."""
    result: Mask = amounts >= minimum - TOLERANCE * max(1.0, abs(minimum))
    return result
