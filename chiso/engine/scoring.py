"""`score()`: checks its inputs, then runs the kernels over all units at once.

Inside, the work is laid out with one row per indicator and one column per
unit, indicators grouped by scoring method, so that every kernel reads and
writes contiguous blocks. In depth-first file order the indicators under a
branch are one contiguous block, so every branch's points (and the total) are
sums over blocks of rows (the leaves x branches incidence matrix, never built
for scoring). What depends on the framework alone (orders, parameters, the
blocks) is worked out once per framework as a `_Plan`. The arrays handed out in
`Results` are views with one row per unit, as docs/architecture.md describes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from chiso.engine import kernels
from chiso.engine.errors import EngineError, Problem
from chiso.engine.formula import Column, Expr, evaluate
from chiso.engine.framework import Framework, Node, ScoreRule
from chiso.engine.values import Values

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]
Indices = npt.NDArray[np.intp]

# The order of the method blocks inside the plan.
METHOD_ORDER: Final = ("linear", "threshold", "steps", "boolean", "relative")


@dataclass(frozen=True)
class UnitResult:
    """One unit's results, as plain Python numbers (NaN where there is no value)."""

    unit: str
    value: float
    points: float
    max_points: float
    rank: int
    recognized: bool | None
    unmet_mandatory: tuple[str, ...]
    node_values: dict[str, float]
    """Branch value 0..1 (NaN where its maximum is 0) or indicator score s."""
    node_points: dict[str, float]
    """Points earned under every node (an indicator: s x points)."""
    leaf_values: dict[str, float]
    """The raw value of every indicator (its formula's result), NaN if missing."""
    leaf_points: dict[str, float]
    """Points earned per indicator."""
    gap: dict[str, float]
    """Points still to earn per indicator: points - earned."""


@dataclass(frozen=True, eq=False)
class Results:
    """Scores, points, values and ranks of every unit scored together.

    Arrays have one row per unit, in the order of `units` (the order of the
    `Values` scored); `order()` gives the rows best first.
    """

    framework_code: str
    units: tuple[str, ...]
    node_codes: tuple[str, ...]
    leaf_codes: tuple[str, ...]
    node_values: Matrix
    """units x nodes: branch value 0..1 (NaN where its maximum is 0), indicator score s."""
    node_max_points: Vector
    """Per node: a branch's maximum, an indicator's points."""
    leaf_values: Matrix
    """units x leaves: the raw (formula) value, NaN if missing."""
    leaf_points: Matrix
    """units x leaves: s x points earned."""
    points: Vector
    max_points: float
    value: Vector
    """The framework value 0..1 (NaN when the framework's maximum is 0)."""
    rank: npt.NDArray[np.int64]
    recognized: npt.NDArray[np.bool_] | None
    mandatory_codes: tuple[str, ...]
    mandatory_met: npt.NDArray[np.bool_]
    """units x mandatory indicators (in `mandatory_codes` order): met or not."""
    _node_points: Matrix = field(repr=False)

    def __len__(self) -> int:
        return len(self.units)

    @cached_property
    def _row(self) -> dict[str, int]:
        return {unit: row for row, unit in enumerate(self.units)}

    @property
    def node_points(self) -> Matrix:
        """units x nodes: points earned under each node."""
        return self._node_points

    @cached_property
    def node_rank(self) -> npt.NDArray[np.int64]:
        """units x nodes: each branch and indicator ranked as `rank` ranks the total.

        The same kernel (`kernels.rank_descending`): highest value first, values
        within 1e-9 share a rank (1, 2, 2, 4). A unit whose value of a node is NaN
        (a branch whose maximum is 0, or no units at all) ranks after every unit
        with a value, tied with the other NaN ones; when every unit's value is NaN
        they all share rank 1. Built on first use, column by column.
        """
        ranks = np.empty(self.node_values.shape, dtype=np.int64)
        for column in range(self.node_values.shape[1]):
            ranks[:, column] = kernels.rank_descending(
                np.ascontiguousarray(self.node_values[:, column])
            )
        return ranks

    @cached_property
    def unmet_mandatory(self) -> tuple[tuple[str, ...], ...]:
        """Per unit, the mandatory indicators not met (built on first use)."""
        return tuple(self._unmet(row) for row in range(len(self.units)))

    def _unmet(self, row: int) -> tuple[str, ...]:
        met = self.mandatory_met[row].tolist()
        return tuple(code for code, ok in zip(self.mandatory_codes, met, strict=True) if not ok)

    def order(self) -> npt.NDArray[np.intp]:
        """Row indices best first: by rank, then by unit code."""
        order: npt.NDArray[np.intp] = np.lexsort((np.array(self.units, dtype=str), self.rank))
        return order

    def unit(self, code: str) -> UnitResult:
        """One unit's results by unit code."""
        try:
            row = self._row[code]
        except KeyError:
            raise KeyError(f"unit {code!r} was not scored") from None
        nodes, leaves = self.node_codes, self.leaf_codes
        earned = self.leaf_points[row]
        leaf_max = self.node_max_points[[nodes.index(code) for code in leaves]]
        return UnitResult(
            unit=code,
            value=float(self.value[row]),
            points=float(self.points[row]),
            max_points=self.max_points,
            rank=int(self.rank[row]),
            recognized=None if self.recognized is None else bool(self.recognized[row]),
            unmet_mandatory=self._unmet(row),
            node_values=dict(zip(nodes, self.node_values[row].tolist(), strict=True)),
            node_points=dict(zip(nodes, self.node_points[row].tolist(), strict=True)),
            leaf_values=dict(zip(leaves, self.leaf_values[row].tolist(), strict=True)),
            leaf_points=dict(zip(leaves, earned.tolist(), strict=True)),
            gap=dict(zip(leaves, (leaf_max - earned).tolist(), strict=True)),
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Rows of the results file, best first; None where there is no value."""
        order = self.order()
        units = [self.units[row] for row in order.tolist()]
        values = self.value[order].tolist()
        points = self.points[order].tolist()
        ranks = self.rank[order].tolist()
        recognized = [None] * len(units) if self.recognized is None else self.recognized[order]
        node_rows = self.node_values[order].tolist()
        records: list[dict[str, Any]] = []
        for index, unit in enumerate(units):
            record: dict[str, Any] = {
                "unit": unit,
                "value": _number(values[index]),
                "points": _number(points[index]),
                "rank": ranks[index],
                "recognized": None if recognized[index] is None else bool(recognized[index]),
            }
            record.update(zip(self.node_codes, map(_number, node_rows[index]), strict=True))
            records.append(record)
        return records


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


# ---------------------------------------------------------------------------


def score(framework: Framework, values: Values) -> Results:
    """Score every unit of `values` with `framework`.

    Raises `EngineError` only when the arguments do not fit together (not a
    Framework and a Values, or values carrying codes the framework does not
    know); any data that `Values` accepted is scored.
    """
    inputs = _checked_inputs(framework, values)
    plan = _plan(framework)
    raw = leaf_raw_values(plan, inputs)
    scores = leaf_scores(plan, raw)
    # From here on indicators in file order, where each branch's are contiguous.
    scores = scores[plan.leaf_rows]
    leaf_points = scores * plan.points[:, np.newaxis]
    # Every branch's points and, in the last row, the framework's total.
    sums = kernels.aggregate(leaf_points, plan.spans)
    total = sums[-1]
    branch_values = kernels.node_values(sums[:-1], plan.branch_max[:, np.newaxis])
    # Nodes in file order, gathered from [indicators; branches]: an indicator's
    # column shows its score s, also when its points are 0.
    node_values = np.concatenate([scores, branch_values])[plan.node_rows]
    node_points = np.concatenate([leaf_points, sums[:-1]])[plan.node_rows]
    value = kernels.node_values(total, framework.max_points)
    mandatory_met = kernels.met(scores[plan.mandatory], plan.pass_marks).T

    return Results(
        framework_code=framework.code,
        units=values.units,
        node_codes=plan.node_codes,
        leaf_codes=plan.leaf_codes,
        node_values=node_values.T,
        node_max_points=plan.node_max,
        leaf_values=raw[plan.leaf_rows].T,
        leaf_points=leaf_points.T,
        points=total,
        max_points=framework.max_points,
        value=value,
        rank=kernels.rank_descending(value),
        recognized=_recognized(framework, total, value, mandatory_met),
        mandatory_codes=plan.mandatory_codes,
        mandatory_met=mandatory_met,
        _node_points=node_points.T,
    )


def _checked_inputs(framework: Framework, values: Values) -> Matrix:
    """inputs x units: the values' matrix transposed, lined up with the framework."""
    if not isinstance(framework, Framework) or not isinstance(values, Values):
        raise EngineError([Problem("score() takes a Framework and a Values")])
    if values.codes == framework.input_codes:
        # Values keeps its matrix in column-major order: this is a free view.
        inputs: Matrix = np.ascontiguousarray(values.matrix.T)
        return inputs
    unknown = sorted(set(values.codes) - set(framework.input_codes))
    if unknown:
        raise EngineError(
            [Problem(f"not an input of framework {framework.code}", code) for code in unknown]
        )
    # Values built with fewer codes or in another order: line them up by code.
    position = {code: index for index, code in enumerate(values.codes)}
    aligned = np.full((len(framework.input_codes), len(values.units)), np.nan)
    for index, code in enumerate(framework.input_codes):
        if code in position:
            aligned[index] = values.matrix[:, position[code]]
    return aligned


@dataclass(frozen=True, eq=False)
class _Plan:
    """Everything `score` needs from a framework, as index and parameter arrays.

    "Rows" are the plan's indicator order for scoring: grouped by method
    (METHOD_ORDER), file order within a method; `blocks` gives each method's
    rows and `leaf_rows` puts them back in file order. Everything after the
    scores (points, spans, mandatory) is in file order.
    """

    node_codes: tuple[str, ...]
    leaf_codes: tuple[str, ...]
    blocks: dict[str, slice]
    points: Vector
    entered_rows: Indices
    entered_inputs: Indices
    elements: tuple[tuple[str, int], ...]
    formulas: tuple[tuple[int, Expr], ...]
    linear_zero: Vector
    linear_full: Vector
    threshold_low: Vector
    threshold_high: Vector
    steps_x: Matrix
    steps_s: Matrix
    spans: Indices
    branch_max: Vector
    node_rows: Indices
    leaf_rows: Indices
    node_max: Vector
    mandatory: Indices
    mandatory_codes: tuple[str, ...]
    pass_marks: Vector


def _plan(framework: Framework) -> _Plan:
    # A framework is immutable, so its plan is built once and kept with it.
    cached = framework._memo.get("plan")
    if isinstance(cached, _Plan):
        return cached
    plan = _build_plan(framework)
    framework._memo["plan"] = plan
    return plan


def _build_plan(framework: Framework) -> _Plan:
    leaves = framework.leaves
    nodes = framework.nodes
    branches = [node for node in nodes if not node.is_leaf]
    leaf_position = {leaf.code: index for index, leaf in enumerate(leaves)}
    input_position = {code: index for index, code in enumerate(framework.input_codes)}

    # The plan's rows: leaves grouped by method.
    rows: list[Node] = []
    blocks: dict[str, slice] = {}
    for method in METHOD_ORDER:
        start = len(rows)
        rows += [leaf for leaf in leaves if _rule(leaf).method == method]
        blocks[method] = slice(start, len(rows))
    row_of = {leaf.code: row for row, leaf in enumerate(rows)}

    def rules(method: str) -> list[ScoreRule]:
        return [_rule(leaf) for leaf in rows[blocks[method]]]

    steps = rules("steps")
    width = max((len(rule.steps) for rule in steps), default=0)
    # Padded with x = +inf: a step that is never reached.
    steps_x = np.full((len(steps), width), np.inf)
    steps_s = np.zeros((len(steps), width))
    for row, rule in enumerate(steps):
        steps_x[row, : len(rule.steps)] = [x for x, _ in rule.steps]
        steps_s[row, : len(rule.steps)] = [s for _, s in rule.steps]

    branch_index = {branch.code: index for index, branch in enumerate(branches)}
    entered = [(row, leaf) for row, leaf in enumerate(rows) if leaf.formula is None]
    mandatory = [position for position, leaf in enumerate(leaves) if leaf.mandatory]
    return _Plan(
        node_codes=tuple(node.code for node in nodes),
        leaf_codes=tuple(leaf.code for leaf in leaves),
        blocks=blocks,
        points=_floats(leaf.points for leaf in leaves),
        entered_rows=_indices(row for row, _ in entered),
        entered_inputs=_indices(input_position[leaf.code] for _, leaf in entered),
        elements=tuple((e.code, input_position[e.code]) for e in framework.elements),
        formulas=tuple(
            (row, expr)
            for row, leaf in enumerate(rows)
            if (expr := framework.formula(leaf.code)) is not None
        ),
        linear_zero=_floats(rule.zero for rule in rules("linear")),
        linear_full=_floats(rule.full for rule in rules("linear")),
        threshold_low=_floats(_or(rule.at_least, -math.inf) for rule in rules("threshold")),
        threshold_high=_floats(_or(rule.at_most, math.inf) for rule in rules("threshold")),
        steps_x=steps_x,
        steps_s=steps_s,
        spans=_spans(framework),
        branch_max=_floats(branch.max_points for branch in branches),
        node_rows=_indices(
            leaf_position[node.code] if node.is_leaf else len(leaves) + branch_index[node.code]
            for node in nodes
        ),
        leaf_rows=_indices(row_of[leaf.code] for leaf in leaves),
        node_max=_floats(node.max_points for node in nodes),
        mandatory=_indices(mandatory),
        mandatory_codes=tuple(leaves[position].code for position in mandatory),
        pass_marks=_floats(_or(leaves[position].pass_, 1.0) for position in mandatory),
    )


def _incidence(framework: Framework) -> Matrix:
    """(branches + 1) x leaves: 1 where the leaf lies under the branch.

    Branches in file order; the last row, all ones, is the framework as a whole.
    """
    leaves = framework.leaves
    position = {leaf.code: index for index, leaf in enumerate(leaves)}
    branches = [node for node in framework.nodes if not node.is_leaf]
    incidence = np.zeros((len(branches) + 1, len(leaves)))
    for index, branch in enumerate(branches):
        under = [position[node.code] for node in branch.walk() if node.is_leaf]
        incidence[index, under] = 1.0
    incidence[-1] = 1.0
    return incidence


def _spans(framework: Framework) -> Indices:
    """(start, stop) of the indicators under each branch (branches in file order),
    then (0, all indicators) for the framework as a whole.

    Built in one pass: a dense incidence matrix of a large framework would take
    gigabytes. In depth-first file order a branch's indicators are those met
    from the branch up to the next node that is not below it (depth <= its own).
    """
    branches = sum(1 for node in framework.nodes if not node.is_leaf)
    spans = np.zeros((branches + 1, 2), dtype=np.intp)
    unclosed: list[tuple[int, int]] = []  # (row, depth) of branches still open
    leaves = row = 0
    for node in framework.nodes:
        while unclosed and unclosed[-1][1] >= node.depth:
            spans[unclosed.pop()[0], 1] = leaves
        if node.is_leaf:
            leaves += 1
        else:
            spans[row, 0] = leaves
            unclosed.append((row, node.depth))
            row += 1
    for open_row, _ in unclosed:
        spans[open_row, 1] = leaves
    spans[-1] = 0, leaves
    return spans


def _indices(positions: Iterable[int]) -> Indices:
    return np.fromiter(positions, dtype=np.intp)


def _floats(numbers: Iterable[float | None]) -> Vector:
    return np.array(list(numbers), dtype=np.float64)


def leaf_raw_values(plan: _Plan, inputs: Matrix) -> Matrix:
    """rows x units: the entered value, or the formula over the elements."""
    size = inputs.shape[1]
    raw = np.empty((len(plan.leaf_codes), size))
    raw[plan.entered_rows] = inputs[plan.entered_inputs]
    columns: dict[str, Column] = {code: inputs[index] for code, index in plan.elements}
    for row, expr in plan.formulas:
        raw[row] = evaluate(expr, columns, size)
    return raw


def leaf_scores(plan: _Plan, raw: Matrix) -> Matrix:
    """rows x units: each indicator's s by its method (0 where missing)."""
    scores = np.empty(raw.shape)
    block = plan.blocks
    scores[block["linear"]] = kernels.score_linear(
        raw[block["linear"]], plan.linear_zero, plan.linear_full
    )
    scores[block["threshold"]] = kernels.score_threshold(
        raw[block["threshold"]], plan.threshold_low, plan.threshold_high
    )
    scores[block["steps"]] = kernels.score_steps(raw[block["steps"]], plan.steps_x, plan.steps_s)
    scores[block["boolean"]] = kernels.score_boolean(raw[block["boolean"]])
    scores[block["relative"]] = kernels.score_relative(raw[block["relative"]])
    return scores


def incidence_matrix(framework: Framework) -> tuple[Matrix, tuple[str, ...], tuple[str, ...]]:
    """(branches + 1) x leaves: 1 where the leaf lies under the branch.

    Returns the matrix, the branch codes of its rows (the last row, all ones,
    is the whole framework, code "") and the leaf codes of its columns.
    """
    branches = tuple(node.code for node in framework.nodes if not node.is_leaf)
    leaf_codes = tuple(leaf.code for leaf in framework.leaves)
    return _incidence(framework), (*branches, ""), leaf_codes


def _recognized(
    framework: Framework, points: Vector, value: Vector, mandatory_met: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_] | None:
    rule = framework.recognition
    if rule is None:
        return None
    if rule.min_points is not None:
        enough = kernels.at_least(points, rule.min_points)
    else:
        assert rule.min_value is not None
        enough = kernels.at_least(np.nan_to_num(value, nan=0.0), rule.min_value)
    if rule.all_mandatory:
        enough = enough & mandatory_met.all(axis=1)
    return enough


def _rule(leaf: Node) -> ScoreRule:
    assert leaf.score is not None
    return leaf.score


def _or(value: float | None, default: float) -> float:
    return default if value is None else value
