"""Vectorised scoring kernels: plain numpy maths that checks nothing.

The kernels take one row per indicator and one column per unit, so that each
indicator's values are contiguous in memory (gathering and scattering whole
rows is several times faster than columns). A method's parameters are vectors
with one entry per row. Values are NaN where missing, and every kernel scores a
missing value 0 (``missing: zero``: nothing reported, no points). Validation of
the inputs is the job of `chiso.engine.scoring.score`.
"""

from __future__ import annotations

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


def _as_float(mask: Mask, out: Matrix | None) -> Matrix:
    if out is None:
        result: Matrix = mask.astype(np.float64)
        return result
    np.copyto(out, mask)
    return out


def score_linear(values: Matrix, zero: Vector, full: Vector, out: Matrix | None = None) -> Matrix:
    """clamp((v - zero) / (full - zero), 0, 1); zero > full means lower is better.

    Every kernel writes its scores into `out` when given (a block of a larger array).
    """
    # One array, worked in place (the same operations, so the same numbers).
    scores: Matrix = np.subtract(values, _column(zero), out=out)
    np.divide(scores, _column(full - zero), out=scores)
    # fmax takes the number when the other side is NaN: a missing value scores 0.
    np.fmax(scores, 0.0, out=scores)
    np.fmin(scores, 1.0, out=scores)
    return scores


def score_threshold(
    values: Matrix, at_least: Vector, at_most: Vector, out: Matrix | None = None
) -> Matrix:
    """1 where at_least <= v <= at_most, else 0; an unused bound is -inf or +inf."""
    low = _column(at_least - _slack(at_least))
    high = _column(at_most + _slack(at_most))
    # Comparisons with NaN are False: a missing value scores 0.
    inside = np.greater_equal(values, low)
    inside &= np.less_equal(values, high)
    return _as_float(inside, out)


def score_steps(values: Matrix, xs: Matrix, ss: Matrix, out: Matrix | None = None) -> Matrix:
    """The s of the largest x <= v, else 0.

    Row i of `xs` and `ss` holds the steps of indicator i, padded on the right
    with x = +inf so that indicators with fewer steps fit one array.
    """
    rows, width = xs.shape
    # x ascending: the number of steps reached is the position of the one that applies.
    bounds = np.maximum.accumulate(xs - _slack(xs), axis=1)
    # Counted from each row's offset in the flattened table, so that the count is
    # directly the index of the score that applies.
    offsets = np.arange(rows, dtype=np.intp) * (width + 1)
    reached = np.repeat(offsets[:, np.newaxis], values.shape[1], axis=1)
    for step in range(width):
        # A missing value reaches nothing and scores the 0 in front of the table.
        reached += values >= _column(bounds[:, step])
    table = np.concatenate([np.zeros((rows, 1)), ss], axis=1)
    # Every index is inside the table: "clip" skips the bounds check and the buffer.
    scores: Matrix = np.take(table.ravel(), reached, out=out, mode="clip")
    return scores


def score_boolean(values: Matrix, out: Matrix | None = None) -> Matrix:
    """1 where v is true (not 0), else 0; a missing value is not true."""
    # |NaN| > 0 is False: a missing value scores 0 without a separate NaN test.
    return _as_float(np.greater(np.abs(values), 0.0), out)


def score_relative(values: Matrix, out: Matrix | None = None) -> Matrix:
    """(v - min) / (max - min) over the units that have a value; 1 where max == min."""
    # fmin/fmax skip NaN: the extremes of the cells with a value (NaN for a row
    # without any, whose cells all score 0 below).
    low = np.fmin.reduce(values, axis=1, initial=np.nan)
    span = np.fmax.reduce(values, axis=1, initial=np.nan) - low
    with np.errstate(invalid="ignore", divide="ignore"):
        scores: Matrix = np.subtract(values, _column(low), out=out)
        np.divide(scores, _column(span), out=scores)
    # A missing value is NaN here and fmax turns it into 0; the others are >= 0.
    np.fmax(scores, 0.0, out=scores)
    flat = np.flatnonzero(span == 0.0)
    if flat.size:
        scores[flat] = ~np.isnan(values[flat])
    return scores


def aggregate(leaf_points: Matrix, spans: npt.NDArray[np.intp]) -> Matrix:
    """Points of every branch: the sum of the indicator rows ``start:stop`` of its span.

    In depth-first file order the indicators under a branch are contiguous, so
    a branch's row of the leaf -> branch incidence matrix is one run of ones,
    and its product with the points is a sum over a block of rows. Summing the
    blocks directly gives the same numbers as the matrix product, in a fixed
    order, without a BLAS call whose threads would compete with the other
    processes of a small shared server.
    """
    result = np.empty((len(spans), leaf_points.shape[1]))
    for branch, (start, stop) in enumerate(spans.tolist()):
        np.add.reduce(leaf_points[start:stop], axis=0, out=result[branch])
    return result


def node_values(points: Matrix | Vector, maximum: Matrix | Vector | float) -> Matrix:
    """points / maximum; NaN where the maximum is 0 (nothing to score)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Matrix = np.where(np.greater(maximum, 0), points / maximum, np.nan)
    return result


def rank_descending(values: Vector, tolerance: float = TOLERANCE) -> npt.NDArray[np.int64]:
    """Competition ranks, highest first: values within `tolerance` share (1, 2, 2, 4).

    Sorted neighbours closer than `tolerance` fall in one tie group; every unit of
    a group takes the position of the group's first unit. NaN ranks last.
    """
    size = values.size
    key = np.where(np.isnan(values), -np.inf, values)
    order = np.argsort(-key, kind="stable")
    ordered = key[order]
    with np.errstate(invalid="ignore"):
        # -inf - -inf is NaN, which is not > tolerance: missing values tie.
        starts_group = np.r_[True, (ordered[:-1] - ordered[1:]) > tolerance]
    first = np.maximum.accumulate(np.where(starts_group, np.arange(size), 0))
    ranks = np.empty(size, dtype=np.int64)
    ranks[order] = first + 1
    return ranks


def met(scores: Matrix, pass_marks: Vector) -> Mask:
    """Mandatory indicators met: s >= pass mark (1 unless the indicator sets `pass`)."""
    result: Mask = scores >= _column(pass_marks - TOLERANCE)
    return result


def at_least(amounts: Vector, minimum: float) -> Mask:
    """amounts >= minimum, forgiving the float noise of sums."""
    result: Mask = amounts >= minimum - TOLERANCE * max(1.0, abs(minimum))
    return result
