"""`score()`: checks its inputs, then runs the kernels over all units at once.

Inside, the work is laid out with one row per indicator and one column per
unit, indicators grouped by scoring method (and by parameters within one), so
that every kernel reads and writes contiguous blocks. What depends on the
framework alone is compiled once per framework into a `_Program`: the rows'
order and parameters, the formulas grouped by shape, the order in which branch
points are summed from their children. `score` then runs the program
`CHUNK` units at a time, each block small enough to stay in the processor's
cache while every kernel passes over it. It runs in the caller's thread: a
second thread gained 5% on an idle machine of two cores and lost 30% when the
other core was busy (a helper held back by the system while holding the
interpreter's lock stops both). The arrays handed out in `Results` are views
with one row per unit, as docs/architecture.md describes.

`_Plan` (method blocks in file order, the per-indicator kernels) serves the
Monte Carlo of chiso.engine.uncertainty, which re-scores with noisy parameters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final, overload

import numpy as np
import numpy.typing as npt

from chiso.engine import kernels
from chiso.engine.errors import EngineError, Problem, problem
from chiso.engine.formula import Column, Expr, FormulaGroup, evaluate, finish, group_formulas
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
    """Points still to earn per indicator: points - earned (0 where left out)."""
    unit_max_points: float = math.nan
    """The points of the indicators that count for this unit: the framework's
    maximum, less those that do not apply (and, under `missing: exclude`, those
    without a value)."""
    not_applicable: tuple[str, ...] = ()
    """The indicators that do not apply to this unit, in file order."""


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
    points: Vector
    max_points: float
    value: Vector
    """The framework value 0..1 (NaN when the framework's maximum is 0)."""
    rank: npt.NDArray[np.int64]
    recognized: npt.NDArray[np.bool_] | None
    mandatory_codes: tuple[str, ...]
    mandatory_met: npt.NDArray[np.bool_]
    """units x mandatory indicators (in `mandatory_codes` order): met or not."""
    _branch_points: Matrix = field(repr=False)
    """units x branches (file order): the points under each branch."""
    _node_layout: tuple[Indices, Indices] = field(repr=False)
    """Node columns of the indicators (file order) and of the branches."""
    _sources: _Sources = field(repr=False)
    """What `leaf_values` and `leaf_points` are built from on first use."""
    left_out: npt.NDArray[np.bool_] | None = None
    """units x leaves: the indicators left out of a unit's maxima (not applying,
    or missing under `missing: exclude`); None when none is."""
    not_applicable: npt.NDArray[np.bool_] | None = None
    """units x leaves: the indicators that do not apply; None when none is marked."""
    unit_max_points: Vector | None = None
    """Per unit: the points of the indicators that count for it (see `UnitResult`);
    None when every unit counts them all (the framework's maximum)."""

    def __len__(self) -> int:
        return len(self.units)

    @cached_property
    def leaf_values(self) -> Matrix:
        """units x leaves: the raw (formula) value, NaN if missing (built on first use)."""
        return self._sources.leaf_values()

    @cached_property
    def leaf_points(self) -> Matrix:
        """units x leaves: s x points earned (built on first use)."""
        leaves = self._node_layout[0]
        points = self.node_values.T[leaves]
        np.multiply(points, self._sources.program.points, out=points)
        if self.left_out is not None:
            # An indicator left out earns nothing (its score cell is empty).
            np.nan_to_num(points, copy=False, nan=0.0)
        result: Matrix = points.T
        return result

    @cached_property
    def _row(self) -> dict[str, int]:
        return {unit: row for row, unit in enumerate(self.units)}

    @cached_property
    def node_points(self) -> Matrix:
        """units x nodes: points earned under each node (built on first use)."""
        leaves, branches = self._node_layout
        points = np.empty((len(self.node_codes), len(self.units)))
        points[leaves] = self.leaf_points.T
        points[branches] = self._branch_points.T
        result: Matrix = points.T
        return result

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
        if self.left_out is not None:
            leaf_max = np.where(self.left_out[row], 0.0, leaf_max)
        absent = (
            ()
            if self.not_applicable is None
            else tuple(
                code
                for code, out in zip(leaves, self.not_applicable[row].tolist(), strict=True)
                if out
            )
        )
        own_max = self.max_points if self.unit_max_points is None else self.unit_max_points[row]
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
            unit_max_points=float(own_max),
            not_applicable=absent,
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
    program = _program(framework)
    size = inputs.shape[1]
    formulas = program.formula_values(inputs)
    relative = program.relative_parameters(inputs, formulas)
    node_values = np.empty((len(program.node_codes), size))
    sums = np.empty((len(program.sums), size))
    with np.errstate(invalid="ignore", divide="ignore"):
        program.run(inputs, formulas, relative, node_values, sums)
    total = sums[0]
    node_values[program.dead_branches] = np.nan
    mandatory_met = kernels.met(node_values[program.mandatory_nodes], program.pass_marks).T
    sources = _Sources(program, inputs, formulas)
    not_applicable = _not_applicable(framework, program, values)
    left_out = _left_out(framework, program, sources, not_applicable)
    value = kernels.node_values(total, framework.max_points)
    unit_max = None
    if left_out is not None:
        if not_applicable is not None:
            # A mandatory indicator that does not apply is not required.
            mandatory_met |= not_applicable[:, program.mandatory_leaves]
        unit_max = _leave_out(framework, program, left_out, node_values, sums, values.units)
        value = kernels.node_values(total, unit_max)
        # Points "of the framework's maximum", so that totals stay comparable.
        total = value * framework.max_points
    return Results(
        framework_code=framework.code,
        units=values.units,
        node_codes=program.node_codes,
        leaf_codes=program.leaf_codes,
        node_values=node_values.T,
        node_max_points=program.node_max,
        points=total,
        max_points=framework.max_points,
        value=value,
        rank=kernels.rank_descending(value),
        recognized=_recognized(framework, total, value, mandatory_met),
        mandatory_codes=program.mandatory_codes,
        mandatory_met=mandatory_met,
        _branch_points=sums[1:].T,
        _node_layout=(program.leaf_nodes, program.branch_nodes),
        _sources=sources,
        left_out=left_out,
        not_applicable=not_applicable,
        unit_max_points=unit_max,
    )


def _not_applicable(
    framework: Framework, program: _Program, values: Values
) -> npt.NDArray[np.bool_] | None:
    """units x leaves: True where the values mark an indicator as not applying."""
    if not values.not_applicable.any():
        return None
    position = {code: index for index, code in enumerate(program.leaf_codes)}
    wrong = [
        code
        for code in values.na_codes
        if code not in position or not framework.node(code).may_not_apply
    ]
    if wrong:
        raise EngineError([Problem("not an indicator that may not apply", code) for code in wrong])
    marked = np.zeros((len(values.units), len(program.leaf_codes)), dtype=np.bool_)
    marked[:, [position[code] for code in values.na_codes]] = values.not_applicable
    return marked


def _left_out(
    framework: Framework,
    program: _Program,
    sources: _Sources,
    not_applicable: npt.NDArray[np.bool_] | None,
) -> npt.NDArray[np.bool_] | None:
    """units x leaves: the indicators left out of each unit's maxima, or None."""
    left_out = not_applicable
    if framework.missing == "exclude":
        # Only indicators with points count: the others are not in any maximum.
        missing = np.isnan(sources.leaf_values()) & (program.points[:, 0] > 0)
        left_out = missing if left_out is None else left_out | missing
    if left_out is None or not left_out.any():
        return None
    return left_out


def _leave_out(
    framework: Framework,
    program: _Program,
    left_out: npt.NDArray[np.bool_],
    node_values: Matrix,
    sums: Matrix,
    units: tuple[str, ...],
) -> Vector:
    """Rework the branches of the units with indicators left out (in place) and
    return every unit's maximum: a branch's maximum is the points of the
    indicators under it that count, its value points / that maximum (NaN where
    nothing under it counts); an indicator left out has no score (NaN)."""
    rows = np.flatnonzero(left_out.any(axis=1))
    out = left_out[rows]
    points = program.points[:, 0]
    # Per unit, running sums over the indicators (file order) of the points left
    # out and of the indicators that still count; a branch's indicators are one run.
    dropped = np.zeros((len(rows), len(points) + 1))
    np.cumsum(np.where(out, points, 0.0), axis=1, out=dropped[:, 1:])
    counting = np.zeros((len(rows), len(points) + 1), dtype=np.intp)
    np.cumsum(~out & (points > 0), axis=1, out=counting[:, 1:])
    start, stop = program.spans[:, 0], program.spans[:, 1]
    maxima = np.where(
        counting[:, stop] > counting[:, start],
        program.span_max - (dropped[:, stop] - dropped[:, start]),
        0.0,
    )
    # Row 0 of `sums` is the framework, the branches follow as `spans` lists them.
    branch_values = kernels.node_values(sums[1:, rows], maxima[:, 1:].T)
    node_values[program.branch_nodes[:, np.newaxis], rows] = branch_values
    leaf_nodes = program.leaf_nodes
    cells = node_values[leaf_nodes[:, np.newaxis], rows]
    cells[out.T] = np.nan
    node_values[leaf_nodes[:, np.newaxis], rows] = cells
    empty = rows[maxima[:, 0] == 0]
    if empty.size:
        raise EngineError(
            [
                problem(
                    "nothing_to_score",
                    "nothing to score: every indicator is missing or does not apply",
                    units[row],
                    unit=units[row],
                )
                for row in empty.tolist()
            ]
        )
    unit_max = np.full(len(units), framework.max_points)
    unit_max[rows] = maxima[:, 0]
    return unit_max


# Units scored at a time: each block of indicators x units is small enough to
# stay in the processor's cache while every kernel passes over it, so that main
# memory is read once (the values) and written once (the node values).
CHUNK: Final = 1024


@dataclass(frozen=True, eq=False)
class _Program:
    """A framework compiled for `score`: index and parameter arrays, built once.

    "Rows" are the indicators in the order they are scored, grouped by method
    (linear, relative, threshold, steps, boolean) so that each kernel runs on
    one block of rows; after the rows come the branches (file order), whose
    values are worked out next to them. `formula_values` gives one row per
    formula, in the order of `groups`.
    """

    node_codes: tuple[str, ...]
    leaf_codes: tuple[str, ...]
    node_max: Vector
    leaf_nodes: Indices
    branch_nodes: Indices
    # Filling the rows: entered values from the inputs, the rest from the formulas.
    entered_copies: tuple[tuple[Indices, slice], ...]
    """(rows, inputs) of the entered indicators per run of neighbouring inputs:
    copied from a slice, a chunk's values are read once (a list of inputs would
    gather them into a temporary first)."""
    entered_inputs: Indices
    entered_leaves: Indices
    formula_rows: Indices
    formula_leaves: Indices
    groups: tuple[tuple[slice, FormulaGroup], ...]
    # The methods' blocks of rows and their parameters.
    linear: tuple[tuple[slice, float | Matrix, float | Matrix], ...]
    """(rows, zero, full - zero) per part of the linear block (see `_parts`)."""
    relative: slice
    relative_inputs: Indices
    relative_formulas: Indices
    """Inputs of the entered relative rows (first), formula rows of the others."""
    relative_lower: Indices
    """The relative rows (counted from the block's first) scored with `better: lower`:
    their values are negated inside the block, so that (max - v) / (max - min) is
    the kernel's (v' - min') / (max' - min')."""
    missing: slice
    """Linear and relative rows: where a missing value is NaN until the end."""
    threshold: tuple[tuple[slice, float | Matrix | None, float | Matrix | None], ...]
    """(rows, low, high) per part, bounds with their tolerance (None: unused)."""
    steps: tuple[tuple[slice, kernels.StepTable], ...]
    steps_rows: int
    boolean: slice
    # Points (file order), sums and where every row goes among the nodes.
    leaf_rows: Indices
    """The row of each indicator in file order."""
    points: Matrix
    """leaves x 1: each indicator's points, file order."""
    sums: tuple[tuple[bool, int, int], ...]
    """How each row of the sums is added up, children before parents: (of
    indicators?, first, stop) of the indicator points (file order) or of the
    sums. Row 0 is the framework, then the branches breadth first (`branch_nodes`),
    where the branches under one parent are neighbours."""
    sum_steps: tuple[tuple[bool, int, int, int, int], ...]
    """`sums` as calls, deepest first: (of indicators?, first row, rows, first
    block, block length); each row the sum of one block, the next row's block
    right after it."""
    branch_max: Matrix
    dead_branches: Indices
    """Nodes of the branches whose maximum is 0: no value (NaN)."""
    row_nodes: Indices
    mandatory_nodes: Indices
    mandatory_codes: tuple[str, ...]
    pass_marks: Vector
    mandatory_leaves: Indices
    """The mandatory indicators' positions among the indicators (file order)."""
    spans: Indices
    """(start, stop) of the indicators (file order) under the framework (row 0)
    and under each branch in the order of `sums`."""
    span_max: Vector
    """The maxima of `spans`: the framework's, then the branches'."""

    def formula_values(self, inputs: Matrix) -> Matrix:
        """formulas x units, in the order of `groups`."""
        values = np.empty((len(self.formula_rows), inputs.shape[1]))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for rows, group in self.groups:
                group.evaluate(inputs, values[rows])
        finish(values)
        return values

    def relative_parameters(self, inputs: Matrix, formulas: Matrix) -> tuple[Vector, Vector]:
        """Per relative row, the lowest value and the span (they depend on every unit)."""
        rows = np.empty((len(self.relative_inputs) + len(self.relative_formulas), inputs.shape[1]))
        entered = len(self.relative_inputs)
        np.take(inputs, self.relative_inputs, axis=0, out=rows[:entered], mode="clip")
        np.take(formulas, self.relative_formulas, axis=0, out=rows[entered:], mode="clip")
        rows[self.relative_lower] = -rows[self.relative_lower]
        return kernels.relative_parameters(rows)

    def run(
        self,
        inputs: Matrix,
        formulas: Matrix,
        relative: tuple[Vector, Vector],
        node_values: Matrix,
        sums: Matrix,
    ) -> None:
        """Fill node_values (nodes x units) and sums (spans x units), CHUNK units at a time."""
        chunks = _chunks(inputs.shape[1])
        if not chunks:
            return
        size = max(stop - start for start, stop in chunks)
        leaves = len(self.leaf_codes)
        rows = leaves + len(self.branch_max)
        # Scratch blocks, reused by every chunk (a smaller last chunk uses the
        # front of each, reshaped so that it stays contiguous).
        width = min(CHUNK, size)
        block_buffer = np.empty(rows * width)
        points_buffer = np.empty(leaves * width)
        mask_buffer = np.empty(leaves * width, dtype=np.bool_)
        reached_buffer = np.empty(self.steps_rows * width, dtype=np.intp)
        zeros, ones, points_wide, branch_max = self._constants
        # The relative rows' parameters depend on the values: widened per call.
        low, span = (np.repeat(vector[:, np.newaxis], width, axis=1) for vector in relative)
        for start, stop in chunks:
            width = stop - start
            block = block_buffer[: rows * width].reshape(rows, width)
            mask = mask_buffer[: leaves * width].reshape(leaves, width)
            for entered_rows, entered_inputs in self.entered_copies:
                block[entered_rows] = inputs[entered_inputs, start:stop]
            block[self.formula_rows] = formulas[:, start:stop]
            if self.relative_lower.size:
                lower = self.relative_lower + self.relative.start
                block[lower] = -block[lower]
            self._score(block, mask, reached_buffer, zeros[:, :width], ones[:, :width], low, span)
            # Points in file order, where every branch's indicators are contiguous.
            points = points_buffer[: leaves * width].reshape(leaves, width)
            np.take(block, self.leaf_rows, axis=0, out=points, mode="clip")
            np.multiply(points, points_wide[:, :width], out=points)
            totals = sums[:, start:stop]
            for of_leaves, row, count, first, length in self.sum_steps:
                # Neighbouring rows from neighbouring blocks of one length: one call,
                # which adds row after row for every unit alike (as long as a chunk
                # has 2 units or more: see `_chunks`).
                parts = (points if of_leaves else totals)[first : first + count * length]
                np.add.reduce(
                    parts.reshape(count, length, width), axis=1, out=totals[row : row + count]
                )
            np.divide(totals[1:], branch_max[:, :width], out=block[leaves:])
            node_values[self.row_nodes, start:stop] = block

    @cached_property
    def _constants(self) -> tuple[Matrix, Matrix, Matrix, Matrix]:
        """0, 1, the points and the branch maxima as blocks (see `_wide`), built on
        first use and shared by every call."""
        missing = self.missing.stop - self.missing.start
        return (
            _wide(np.zeros((missing, 1))),
            _wide(np.ones((missing, 1))),
            _wide(self.points),
            _wide(self.branch_max),
        )

    def _score(
        self,
        block: Matrix,
        mask: npt.NDArray[np.bool_],
        reached_buffer: npt.NDArray[np.intp],
        zeros: Matrix,
        ones: Matrix,
        low: Matrix,
        span: Matrix,
    ) -> None:
        """Each row's s, in place of its value."""
        width = block.shape[1]
        for rows, zero, span_ in self.linear:
            kernels.linear_into(
                block[rows],
                _cut(zero, width),
                _cut(span_, width),
                block[rows],
                ones[: rows.stop - rows.start],
            )
        relative, missing = self.relative, self.missing
        kernels.relative_into(block[relative], low[:, :width], span[:, :width], block[relative])
        kernels.missing_to_zero(block[missing], zeros[: missing.stop - missing.start])
        for rows, least, most in self.threshold:
            kernels.threshold_into(
                block[rows], _cut(least, width), _cut(most, width), block[rows], mask[rows]
            )
        for rows, table in self.steps:
            count = rows.stop - rows.start
            reached = reached_buffer[: count * width].reshape(count, width)
            kernels.steps_into(block[rows], table, block[rows], reached, mask[rows])
        boolean = self.boolean
        kernels.boolean_into(block[boolean], block[boolean], mask[boolean])


def _wide(column: Matrix) -> Matrix:
    """A column of parameters (one per row) as a read-only block of CHUNK columns:
    numpy's loops are about twice as quick over two blocks as over a block and a
    column."""
    wide = np.repeat(column, CHUNK, axis=1)
    wide.flags.writeable = False
    return wide


@overload
def _cut(parameter: float | Matrix, width: int) -> float | Matrix: ...
@overload
def _cut(parameter: float | Matrix | None, width: int) -> float | Matrix | None: ...
def _cut(parameter: float | Matrix | None, width: int) -> float | Matrix | None:
    """A parameter for a chunk of `width` units: a number as it is, a block cut to width."""
    return parameter[:, :width] if isinstance(parameter, np.ndarray) else parameter


def _chunks(size: int) -> list[tuple[int, int]]:
    """(start, stop) of the chunks of `size` units, none of 1 unit unless size is 1:
    numpy adds up a block of 1 unit in another order (pairwise), and a unit's
    points must not depend on the units scored with it."""
    bounds = list(range(0, size, CHUNK)) + [size]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] == 1:
        bounds[-2] -= 1
    return list(zip(bounds[:-1], bounds[1:], strict=True))


@dataclass(frozen=True, eq=False)
class _Sources:
    """What a `Results` builds its leaf values from when first asked."""

    program: _Program
    inputs: Matrix
    formulas: Matrix

    def leaf_values(self) -> Matrix:
        program = self.program
        values = np.empty((len(program.leaf_codes), self.inputs.shape[1]))
        values[program.entered_leaves] = self.inputs[program.entered_inputs]
        values[program.formula_leaves] = self.formulas
        result: Matrix = values.T
        return result


PROGRAM_ORDER: Final = ("linear", "relative", "threshold", "steps", "boolean")


# A method block whose rows share at most this many distinct parameters is
# scored part by part with plain numbers (numpy's quickest loops); with more,
# in one go with a column of parameters.
MAX_PARTS: Final = 6


def _parameters(rule: ScoreRule) -> tuple[tuple[bool, float], ...]:
    """A rule's parameters as a sortable key (an unset bound before any number)."""
    numbers = (rule.zero, rule.full, rule.at_least, rule.at_most)
    key = [(number is not None, 0.0 if number is None else number) for number in numbers]
    key += [(True, float(number)) for step in rule.steps for number in step]
    return tuple(key)


def _parts(
    block: slice, rules: list[ScoreRule]
) -> list[tuple[slice, ScoreRule | None, list[ScoreRule]]]:
    """(rows, the one rule all its rows share or None, their rules) for a block
    whose rows are sorted by `_parameters`."""
    runs: list[tuple[slice, ScoreRule | None, list[ScoreRule]]] = []
    first = 0
    for index in range(1, len(rules) + 1):
        if index == len(rules) or _parameters(rules[index]) != _parameters(rules[first]):
            rows = slice(block.start + first, block.start + index)
            runs.append((rows, rules[first], rules[first:index]))
            first = index
    if len(runs) <= MAX_PARTS:
        return runs
    return [(block, None, rules)]


def _first(column: Matrix | None) -> float | None:
    return None if column is None else float(column[0, 0])


def _step_table(rules: list[ScoreRule]) -> kernels.StepTable:
    width = max((len(rule.steps) for rule in rules), default=0)
    # Padded with x = +inf: a step that is never reached.
    steps_x = np.full((len(rules), width), np.inf)
    steps_s = np.zeros((len(rules), width))
    for row, rule in enumerate(rules):
        steps_x[row, : len(rule.steps)] = [x for x, _ in rule.steps]
        steps_s[row, : len(rule.steps)] = [s for _, s in rule.steps]
    return kernels.steps_parameters(steps_x, steps_s)


def _sum_steps(
    sums: tuple[tuple[bool, int, int], ...],
) -> tuple[tuple[bool, int, int, int, int], ...]:
    """`_Program.sum_steps` from `_Program.sums`."""
    steps: list[list[int | bool]] = []
    for row, (of_leaves, first, last) in enumerate(sums):
        if steps:
            kind, start, count, begin, length = steps[-1]
            # Only rows whose blocks all come after them (children after parents).
            follows = start + count == row and begin + count * length == first
            if (
                kind == of_leaves
                and follows
                and last - first == length
                and (of_leaves or begin > row)
            ):
                steps[-1][2] = int(count) + 1
                continue
        steps.append([of_leaves, row, 1, first, last - first])
    # Deepest first: every branch after the branches under it.
    return tuple((bool(k), int(r), int(c), int(f), int(n)) for k, r, c, f, n in reversed(steps))


def _breadth_first(nodes: tuple[Node, ...]) -> list[Node]:
    """The branches level by level: the branches under one parent are neighbours."""
    level = [node for node in nodes if node.parent is None and not node.is_leaf]
    order: list[Node] = []
    while level:
        order += level
        level = [child for node in level for child in node.children if not child.is_leaf]
    return order


def _sum_order(
    nodes: tuple[Node, ...], branches: list[Node], leaf_position: dict[str, int]
) -> tuple[tuple[bool, int, int], ...]:
    """See `_Program.sums`: each branch from its children where they are all
    branches (one block of sums) or all indicators (one block of points); a
    branch with both adds up all the indicators under it."""
    row_of = {branch.code: row for row, branch in enumerate(branches, start=1)}

    def under(children: tuple[Node, ...]) -> tuple[bool, int, int]:
        if children and all(not child.is_leaf for child in children):
            rows = [row_of[child.code] for child in children]
            return False, min(rows), max(rows) + 1
        found = [
            leaf_position[node.code] for child in children for node in child.walk() if node.is_leaf
        ]
        # In file order the indicators under a node are contiguous.
        return True, min(found, default=0), max(found, default=-1) + 1

    top = tuple(node for node in nodes if node.parent is None)
    return (under(top), *(under(branch.children) for branch in branches))


def _program(framework: Framework) -> _Program:
    return framework.memo("program", _build_program)


def _build_program(framework: Framework) -> _Program:
    leaves = framework.leaves
    nodes = framework.nodes
    branches = _breadth_first(nodes)
    leaf_position = {leaf.code: index for index, leaf in enumerate(leaves)}
    input_position = {code: index for index, code in enumerate(framework.input_codes)}
    node_of = {node.code: index for index, node in enumerate(nodes)}

    # Rows: by method, entered indicators first within each (relative needs it),
    # then the same parameters together (see `_parts`).
    rows: list[Node] = []
    blocks: dict[str, slice] = {}
    for method in PROGRAM_ORDER:
        first = len(rows)
        of_method = [leaf for leaf in leaves if _rule(leaf).method == method]
        if method != "relative":
            of_method.sort(key=lambda leaf: _parameters(_rule(leaf)))
        rows += [leaf for leaf in of_method if leaf.formula is None or method != "relative"]
        rows += [leaf for leaf in of_method if leaf.formula is not None and method == "relative"]
        blocks[method] = slice(first, len(rows))
    row_of = {leaf.code: row for row, leaf in enumerate(rows)}

    def rules(method: str) -> list[ScoreRule]:
        return [_rule(leaf) for leaf in rows[blocks[method]]]

    with_formula = [leaf for leaf in rows if leaf.formula is not None]
    exprs: list[Expr] = []
    for leaf in with_formula:
        expr = framework.formula(leaf.code)
        assert expr is not None
        exprs.append(expr)
    grouped = group_formulas(exprs, input_position)
    # Formula rows in the order of the groups, each group one slice of them.
    ordered = [with_formula[index] for members, _ in grouped for index in members]
    groups: list[tuple[slice, FormulaGroup]] = []
    for members, group in grouped:
        first = sum(len(part) for part, _ in grouped[: len(groups)])
        groups.append((slice(first, first + len(members)), group))
    formula_index = {leaf.code: index for index, leaf in enumerate(ordered)}
    # In the order of the inputs: main memory is read front to back.
    entered = sorted(
        (leaf for leaf in rows if leaf.formula is None), key=lambda leaf: input_position[leaf.code]
    )
    relative_rows = rows[blocks["relative"]]

    linear_parts: list[tuple[slice, float | Matrix, float | Matrix]] = []
    for part, first_rule, part_rules in _parts(blocks["linear"], rules("linear")):
        zero = _floats(rule.zero for rule in part_rules)
        span_ = _floats(rule.full for rule in part_rules) - zero
        if first_rule is None:
            linear_parts.append((part, _wide(zero[:, np.newaxis]), _wide(span_[:, np.newaxis])))
        else:
            linear_parts.append((part, float(zero[0]), float(span_[0])))
    threshold_parts: list[tuple[slice, float | Matrix | None, float | Matrix | None]] = []
    for part, first_rule, part_rules in _parts(blocks["threshold"], rules("threshold")):
        least, most = kernels.threshold_parameters(
            _floats(_or(rule.at_least, -math.inf) for rule in part_rules),
            _floats(_or(rule.at_most, math.inf) for rule in part_rules),
        )
        if first_rule is None:
            threshold_parts.append(
                (
                    part,
                    None if least is None else _wide(least),
                    None if most is None else _wide(most),
                )
            )
        else:
            threshold_parts.append((part, _first(least), _first(most)))
    step_parts: list[tuple[slice, kernels.StepTable]] = []
    for part, first_rule, part_rules in _parts(blocks["steps"], rules("steps")):
        step_parts.append((part, _step_table(part_rules if first_rule is None else [first_rule])))
    sums = _sum_order(nodes, branches, leaf_position)
    steps_of_sums = _sum_steps(sums)
    points = _floats(leaf.points for leaf in leaves)
    mandatory = [leaf for leaf in leaves if leaf.mandatory]
    branch_max = _floats(branch.max_points for branch in branches)
    missing = slice(blocks["linear"].start, blocks["relative"].stop)
    return _Program(
        node_codes=tuple(node.code for node in nodes),
        leaf_codes=tuple(leaf.code for leaf in leaves),
        node_max=_floats(node.max_points for node in nodes),
        leaf_nodes=_indices(node_of[leaf.code] for leaf in leaves),
        branch_nodes=_indices(node_of[branch.code] for branch in branches),
        entered_copies=_input_runs(
            [(row_of[leaf.code], input_position[leaf.code]) for leaf in entered]
        ),
        entered_inputs=_indices(input_position[leaf.code] for leaf in entered),
        entered_leaves=_indices(leaf_position[leaf.code] for leaf in entered),
        formula_rows=_indices(row_of[leaf.code] for leaf in ordered),
        formula_leaves=_indices(leaf_position[leaf.code] for leaf in ordered),
        groups=tuple(groups),
        linear=tuple(linear_parts),
        relative=blocks["relative"],
        relative_inputs=_indices(
            input_position[leaf.code] for leaf in relative_rows if leaf.formula is None
        ),
        relative_formulas=_indices(
            formula_index[leaf.code] for leaf in relative_rows if leaf.formula is not None
        ),
        relative_lower=_indices(
            index for index, leaf in enumerate(relative_rows) if _rule(leaf).better == "lower"
        ),
        missing=missing,
        threshold=tuple(threshold_parts),
        steps=tuple(step_parts),
        steps_rows=blocks["steps"].stop - blocks["steps"].start,
        boolean=blocks["boolean"],
        leaf_rows=_indices(row_of[leaf.code] for leaf in leaves),
        points=points[:, np.newaxis],
        sums=sums,
        sum_steps=steps_of_sums,
        branch_max=branch_max[:, np.newaxis],
        dead_branches=_indices(
            node_of[branch.code] for branch in branches if not branch.max_points > 0
        ),
        row_nodes=_indices(node_of[node.code] for node in [*rows, *branches]),
        mandatory_nodes=_indices(node_of[leaf.code] for leaf in mandatory),
        mandatory_codes=tuple(leaf.code for leaf in mandatory),
        pass_marks=_floats(_or(leaf.pass_, 1.0) for leaf in mandatory),
        mandatory_leaves=_indices(leaf_position[leaf.code] for leaf in mandatory),
        spans=np.array(
            [(0, len(leaves)), *(_span(branch, leaf_position) for branch in branches)],
            dtype=np.intp,
        ).reshape(-1, 2),
        span_max=_floats([framework.max_points, *(branch.max_points for branch in branches)]),
    )


def _span(branch: Node, leaf_position: dict[str, int]) -> tuple[int, int]:
    """(start, stop) of the indicators under a branch: in file order they are contiguous."""
    under = [leaf_position[node.code] for node in branch.walk() if node.is_leaf]
    return min(under), max(under) + 1


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
    """A framework's method blocks for the per-indicator kernels (`leaf_raw_values`,
    `leaf_scores`), which the Monte Carlo re-runs with noisy parameters.

    "Rows" are the plan's indicator order for scoring: grouped by method
    (METHOD_ORDER), file order within a method; `blocks` gives each method's
    rows and `leaf_rows` puts them back in file order. Everything after the
    scores (points, spans, mandatory) is in file order.
    """

    node_codes: tuple[str, ...]
    leaf_codes: tuple[str, ...]
    blocks: dict[str, slice]
    points: Vector
    relative_lower: Indices
    """Rows of the relative block (from its first) scored with `better: lower`."""
    entered_rows: Indices
    entered_inputs: Indices
    entered_runs: tuple[tuple[slice, Indices], ...]
    """(rows, input positions) of each method's entered indicators, contiguous rows."""
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
    # Where each plan row, indicator (file order) and branch goes among the nodes.
    row_nodes: Indices
    row_files: Indices
    row_points: Vector
    leaf_nodes: Indices
    branch_nodes: Indices
    mandatory_rows: Indices


def _plan(framework: Framework) -> _Plan:
    return framework.memo("plan", _build_plan)


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
        # Entered indicators first: then each method's are one run of rows, which
        # the values are copied into without a temporary.
        of_method = [leaf for leaf in leaves if _rule(leaf).method == method]
        rows += [leaf for leaf in of_method if leaf.formula is None]
        rows += [leaf for leaf in of_method if leaf.formula is not None]
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
    node_of = {node.code: index for index, node in enumerate(nodes)}
    return _Plan(
        node_codes=tuple(node.code for node in nodes),
        leaf_codes=tuple(leaf.code for leaf in leaves),
        blocks=blocks,
        points=_floats(leaf.points for leaf in leaves),
        relative_lower=_indices(
            index
            for index, leaf in enumerate(rows[blocks["relative"]])
            if _rule(leaf).better == "lower"
        ),
        entered_rows=_indices(row for row, _ in entered),
        entered_inputs=_indices(input_position[leaf.code] for _, leaf in entered),
        entered_runs=_entered_runs(entered, input_position),
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
        row_nodes=_indices(node_of[leaf.code] for leaf in rows),
        row_files=_indices(leaf_position[leaf.code] for leaf in rows),
        row_points=_floats(leaf.points for leaf in rows),
        leaf_nodes=_indices(node_of[leaf.code] for leaf in leaves),
        branch_nodes=_indices(node_of[branch.code] for branch in branches),
        mandatory_rows=_indices(row_of[leaves[position].code] for position in mandatory),
    )


def _neighbours(numbers: list[int]) -> list[slice]:
    """`numbers` cut into runs where each is the one before plus one (slices of the list)."""
    cuts = [0, *(i for i in range(1, len(numbers)) if numbers[i] != numbers[i - 1] + 1)]
    return [slice(a, b) for a, b in zip(cuts, [*cuts[1:], len(numbers)], strict=True) if a < b]


def _input_runs(pairs: list[tuple[int, int]]) -> tuple[tuple[Indices, slice], ...]:
    """(rows, slice of inputs) per run of neighbouring inputs, from (row, input)
    pairs in the order of the inputs."""
    runs = _neighbours([position for _, position in pairs])
    return tuple(
        (_indices(row for row, _ in pairs[run]), slice(pairs[run][0][1], pairs[run][-1][1] + 1))
        for run in runs
    )


def _entered_runs(
    entered: list[tuple[int, Node]], input_position: dict[str, int]
) -> tuple[tuple[slice, Indices], ...]:
    runs = _neighbours([row for row, _ in entered])
    return tuple(
        (
            slice(entered[run][0][0], entered[run][-1][0] + 1),
            _indices(input_position[leaf.code] for _, leaf in entered[run]),
        )
        for run in runs
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
    for rows, positions in plan.entered_runs:
        # The positions are valid by construction; "clip" lets numpy skip its
        # bounds check and write straight into `out` without buffering.
        np.take(inputs, positions, axis=0, out=raw[rows], mode="clip")
    columns: dict[str, Column] = {code: inputs[index] for code, index in plan.elements}
    for row, expr in plan.formulas:
        evaluate(expr, columns, size, out=raw[row])
    return raw


def leaf_scores(plan: _Plan, raw: Matrix) -> Matrix:
    """rows x units: each indicator's s by its method (0 where missing)."""
    scores = np.empty(raw.shape)
    block = plan.blocks
    # Each kernel writes straight into its block of rows.
    linear, threshold, steps = (block[method] for method in ("linear", "threshold", "steps"))
    kernels.score_linear(raw[linear], plan.linear_zero, plan.linear_full, out=scores[linear])
    kernels.score_threshold(
        raw[threshold], plan.threshold_low, plan.threshold_high, out=scores[threshold]
    )
    kernels.score_steps(raw[steps], plan.steps_x, plan.steps_s, out=scores[steps])
    kernels.score_boolean(raw[block["boolean"]], out=scores[block["boolean"]])
    relative = raw[block["relative"]]
    if plan.relative_lower.size:
        # (max - v) / (max - min) is the kernel's formula over -v.
        relative = relative.copy()
        relative[plan.relative_lower] *= -1.0
    kernels.score_relative(relative, out=scores[block["relative"]])
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
