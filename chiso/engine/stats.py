"""A statistical audit of one period's results, for reviewers (pure functions).

- `summarise`: per indicator, how many units reported it (coverage) and the
  distribution of the values reported;
- `robust_scale`, `robust_z`, `change_outliers`, `peer_outliers`: figures that look
  wrong, by robust z-scores (median and MAD, Iglewicz and Hoaglin 1993: |z| > 3.5)
  of a unit's change from last year, or of its value against units of its kind. The
  scale is guarded: never below 5 % of the figures' typical size, so a near-constant
  indicator (MAD about 0) does not give z-scores in the hundreds; a figure many units
  share is an answer, never an outlier. Each flag says which scale it used.
- `correlations`, `pillar_correlations`: Pearson and Spearman correlations
  between indicators and of each indicator with its pillar (as the JRC audits
  of composite indicators do), over the units that report both;
- `non_discriminating`: indicators on which every unit has full score, which
  therefore cannot tell units apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from chiso.engine.framework import Framework
from chiso.engine.scoring import Results

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]

# Iglewicz and Hoaglin's cut-off for the modified z-score.
OUTLIER_Z: Final = 3.5
# 0.6745 is the 0.75 quantile of the standard normal: z is in standard deviations
# for normal data; with MAD = 0 the mean absolute deviation stands in (x 1.2533).
_MAD_SCALE: Final = 0.6745
_MEAN_AD_SCALE: Final = 1.253314
# The least scale of a column: this share of its typical size (see robust_scale).
GUARD_SHARE: Final = 0.05
# A figure that this share of the units reporting it (and at least this many) give is
# an answer, not an outlier.
COMMON_SHARE: Final = 0.05
COMMON_UNITS: Final = 3


@dataclass(frozen=True)
class IndicatorSummary:
    code: str
    reported: int
    coverage: float
    """Share of units with a value, 0..1."""
    mean: float
    std: float
    minimum: float
    q25: float
    median: float
    q75: float
    maximum: float


@dataclass(frozen=True)
class Outlier:
    unit: str
    code: str
    value: float
    reference: float
    """Last year's value (kind "change") or the median of the unit's peers ("peers")."""
    z: float
    kind: Literal["change", "peers"]
    scale: float = math.nan
    """What z divides by: (judged figure - centre) / scale."""
    centre: float = math.nan
    """The median of the figures judged: values ("peers") or changes ("change")."""
    method: str = "mad"
    """How the scale was found: "mad", "mean_ad" or "guard" (see robust_scale)."""


@dataclass(frozen=True, eq=False)
class Correlations:
    codes: tuple[str, ...]
    pearson: Matrix
    spearman: Matrix
    """Both codes x codes; NaN where fewer than 3 units report both or one is constant."""


@dataclass(frozen=True)
class PillarCorrelation:
    code: str
    pillar: str
    pearson: float
    spearman: float


def summarise(results: Results) -> list[IndicatorSummary]:
    """Coverage and distribution of every indicator's reported values."""
    summaries = []
    units = max(len(results.units), 1)
    for index, code in enumerate(results.leaf_codes):
        column = results.leaf_values[:, index]
        present = column[~np.isnan(column)]
        if present.size == 0:
            nan = math.nan
            summaries.append(IndicatorSummary(code, 0, 0.0, nan, nan, nan, nan, nan, nan, nan))
            continue
        q = np.quantile(present, [0.0, 0.25, 0.5, 0.75, 1.0]).tolist()
        summaries.append(
            IndicatorSummary(
                code=code,
                reported=int(present.size),
                coverage=present.size / units,
                mean=float(present.mean()),
                std=float(present.std(ddof=1)) if present.size > 1 else 0.0,
                minimum=q[0],
                q25=q[1],
                median=q[2],
                q75=q[3],
                maximum=q[4],
            )
        )
    return summaries


def robust_scale(
    x: Matrix | Vector, sizes: Vector | None = None
) -> tuple[Vector, Vector, list[str]]:
    """Each column's median, guarded robust scale and the method that gave the scale.

    The scale is the larger of the spread and a guard:

    - the spread: 1.4826 MAD (the standard deviation for normal data); where the MAD
      is 0 (most units equal), 1.2533 times the mean absolute deviation ("mean_ad");
    - the guard ("guard"): GUARD_SHARE of the column's typical size (the median of
      its absolute values, else their mean; or `sizes`, e.g. the size of the figures
      whose changes are judged), so that an indicator nearly every unit answers alike
      (a share of 100 % but for a few) does not turn a small difference into a z of
      hundreds.

    A column without values has NaN; one whose values are all 0 has scale 0 ("equal").
    """
    data = np.asarray(x, dtype=np.float64)
    column = data.reshape(len(data), -1)
    width = column.shape[1]
    medians = np.full(width, np.nan)
    scales = np.full(width, np.nan)
    methods = ["none"] * width
    for j in range(width):
        values = column[:, j][~np.isnan(column[:, j])]
        if not values.size:
            continue
        median = float(np.median(values))
        deviation = np.abs(values - median)
        mad = float(np.median(deviation))
        if mad > 0:
            spread, method = mad / _MAD_SCALE, "mad"
        else:
            spread, method = _MEAN_AD_SCALE * float(deviation.mean()), "mean_ad"
        if sizes is not None and math.isfinite(sizes[j]):
            size = float(sizes[j])
        else:
            size = _typical_size(values)
        guard = GUARD_SHARE * size
        if guard > spread:
            spread, method = guard, "guard"
        medians[j], scales[j] = median, spread
        methods[j] = method if spread > 0 else "equal"
    return medians, scales, methods


def _typical_size(values: Vector) -> float:
    return float(np.median(np.abs(values))) or float(np.abs(values).mean())


def robust_z(x: Matrix | Vector, sizes: Vector | None = None) -> Matrix:
    """Modified z-scores down each column: (x - median) / the guarded robust scale
    (`robust_scale`); NaN stays NaN, and where every value is the median z is 0."""
    data = np.asarray(x, dtype=np.float64)
    column = data.reshape(len(data), -1)
    medians, scales, _methods = robust_scale(column, sizes)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (column - medians) / scales
    z[(scales == 0) & ~np.isnan(column)] = 0.0
    result: Matrix = z.reshape(data.shape)
    return result


def _common(x: Matrix) -> npt.NDArray[np.bool_]:
    """Figures that many units of the column share (at least COMMON_SHARE of those who
    report it, and COMMON_UNITS): an answer many give (the lower step) is not an
    outlier, however far from the median. Nor is a yes/no answer (a column of 0 and
    1 only; -1, 0 and 1 for a change): it has no distance to weigh."""
    common = np.zeros(x.shape, dtype=bool)
    for j in range(x.shape[1]):
        column = x[:, j]
        present = ~np.isnan(column)
        if not present.any():
            continue
        if np.isin(column[present], (-1.0, 0.0, 1.0)).all():
            common[present, j] = True
            continue
        found, inverse, counts = np.unique(column[present], return_inverse=True, return_counts=True)
        enough = max(COMMON_UNITS, math.ceil(COMMON_SHARE * int(present.sum())))
        common[np.flatnonzero(present), j] = counts[inverse.ravel()] >= enough
    return common


def change_outliers(
    current: Results, previous: Results, threshold: float = OUTLIER_Z
) -> list[Outlier]:
    """Units whose change from last year stands out among all units' changes.

    Indicators and units are matched by code; a unit or indicator missing in
    either year is not judged.
    """
    units = [unit for unit in current.units if unit in previous._row]
    codes = [code for code in current.leaf_codes if code in previous.leaf_codes]
    if not units or not codes:
        return []
    now = _leaf_matrix(current, units, codes)
    before = _leaf_matrix(previous, units, codes)
    # A change is weighed against the size of the figures, not of the changes: a share
    # of 95 % that becomes 100 % is no jump, even when most units did not move.
    sizes = np.array([_typical_size(c[~np.isnan(c)]) if (~np.isnan(c)).any() else math.nan
                      for c in before.T])  # fmt: skip
    return _outliers(now - before, units, codes, now, before, "change", threshold, sizes)


def peer_outliers(
    results: Results, kinds: Mapping[str, str], threshold: float = OUTLIER_Z
) -> list[Outlier]:
    """Values that stand out among units of the same kind (ward, commune, ...)."""
    found: list[Outlier] = []
    groups: dict[str, list[str]] = {}
    for unit in results.units:
        if unit in kinds:
            groups.setdefault(kinds[unit], []).append(unit)
    codes = list(results.leaf_codes)
    for members in groups.values():
        values = _leaf_matrix(results, members, codes)
        median = np.nanmedian(values, axis=0) if len(members) else np.array([])
        reference = np.broadcast_to(median, values.shape)
        found += _outliers(values, members, codes, values, reference, "peers", threshold)
    return sorted(found, key=lambda o: -abs(o.z))


def correlations(results: Results) -> Correlations:
    """Pearson and Spearman correlations between every pair of indicators."""
    values = results.leaf_values
    return Correlations(results.leaf_codes, _pairwise(values), _pairwise(_ranked(values)))


def pillar_correlations(framework: Framework, results: Results) -> list[PillarCorrelation]:
    """Each indicator's correlation with the value of its pillar (a root of the tree)."""
    column = {code: index for index, code in enumerate(results.node_codes)}
    found = []
    for root in framework.tree:
        pillar = results.node_values[:, column[root.code]]
        for leaf in (node for node in root.walk() if node.is_leaf):
            values = results.leaf_values[:, results.leaf_codes.index(leaf.code)]
            pair = np.column_stack([values, pillar])
            pearson = _pairwise(pair)[0, 1]
            spearman = _pairwise(_ranked(pair))[0, 1]
            found.append(PillarCorrelation(leaf.code, root.code, pearson, spearman))
    return found


def non_discriminating(framework: Framework, results: Results) -> tuple[str, ...]:
    """Scored indicators on which every unit has full score (s = 1)."""
    column = {code: index for index, code in enumerate(results.node_codes)}
    if not results.units:
        return ()
    return tuple(
        leaf.code
        for leaf in framework.leaves
        if (leaf.points or 0) > 0 and bool(np.all(results.node_values[:, column[leaf.code]] >= 1))
    )


# ---------------------------------------------------------------------------


def _leaf_matrix(results: Results, units: list[str], codes: list[str]) -> Matrix:
    rows = [results._row[unit] for unit in units]
    columns = [results.leaf_codes.index(code) for code in codes]
    matrix: Matrix = results.leaf_values[np.ix_(rows, columns)]
    return matrix


def _outliers(
    judged: Matrix,
    units: list[str],
    codes: list[str],
    values: Matrix,
    reference: Matrix,
    kind: Literal["change", "peers"],
    threshold: float,
    sizes: Vector | None = None,
) -> list[Outlier]:
    """The figures of `judged` (values, or changes) whose robust z passes the threshold,
    but for the figures many units share."""
    medians, scales, methods = robust_scale(judged, sizes)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (judged - medians) / scales
        rows, columns = np.nonzero((np.abs(z) > threshold) & (scales > 0) & ~_common(judged))
    found = [
        Outlier(
            units[r],
            codes[c],
            float(values[r, c]),
            float(reference[r, c]),
            float(z[r, c]),
            kind,
            float(scales[c]),
            float(medians[c]),
            methods[c],
        )
        for r, c in zip(rows.tolist(), columns.tolist(), strict=True)
    ]
    return sorted(found, key=lambda o: -abs(o.z))


def _ranked(values: Matrix) -> Matrix:
    """Each column's average ranks (1 = smallest) over its present values; NaN stays."""
    ranks = np.full(values.shape, np.nan)
    for j in range(values.shape[1]):
        column = values[:, j]
        present = np.flatnonzero(~np.isnan(column))
        if present.size == 0:
            continue
        order = np.argsort(column[present], kind="stable")
        ordered = column[present][order]
        # Ties share the mean of the positions they occupy.
        _, first, counts = np.unique(ordered, return_index=True, return_counts=True)
        average = first + (counts + 1) / 2.0
        positions = np.empty(present.size)
        positions[order] = np.repeat(average, counts)
        ranks[present, j] = positions
    return ranks


def _pairwise(values: Matrix) -> Matrix:
    """Pearson correlations between columns over the rows where both have a value.

    All pairs at once from a handful of matrix products over the 0/1 mask of
    present values; columns are centred first so that the sums do not cancel.
    """
    mask = (~np.isnan(values)).astype(np.float64)
    centred = values - np.nanmean(np.where(mask > 0, values, np.nan), axis=0)
    x = np.where(mask > 0, centred, 0.0)
    count = mask.T @ mask
    sum_x = x.T @ mask  # [i, j]: sum of column i over rows where j is present too
    sum_xx = (x * x).T @ mask
    sum_xy = x.T @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sum_xy - sum_x * sum_x.T / count
        var_x = sum_xx - sum_x**2 / count
        r = cov / np.sqrt(var_x * var_x.T)
    r[(count < 3) | ~np.isfinite(r)] = np.nan
    result: Matrix = np.clip(r, -1.0, 1.0)
    return result
