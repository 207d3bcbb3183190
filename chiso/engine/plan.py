"""The gap planner: the cheapest set of indicator changes that reaches a goal.

`plan(framework, values, unit, goal)` looks at one unit's scores next to the
other units' results and answers "what must change": which indicators, from
which value to which, and the points each brings. The goal is recognition
(enough points and, when the rule says so, every mandatory indicator met), a
framework value (0..1), or a rank among the units scored together (the other
units' results held as they are).

The search minimises, in this order, the number of indicators changed (or
their total `effort`, when any indicator of the framework sets it) and the
points beyond what the goal needs. Each indicator offers the scores it can
still reach: any score up to 1 for `linear` and `relative` (continuous), the
step scores for `steps`, full score for `threshold` and `boolean`. The choice
of indicators is a small covering knapsack, solved exactly by depth-first
branch and bound with the fractional (LP) relaxation as the bound; the levels
of the chosen indicators are then picked to overshoot the need the least. A
search that outgrows `NODE_BUDGET` keeps the best plan found and says so
(`Plan.proven_optimal`).

For an indicator computed by a formula that is a ratio (``100 * a / b``) or a
sum (``a + b + c``), a step also names the element change that achieves the
new value (the numerator, or the first term, with the rest held).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from chiso.engine.formula import BinOp, Expr, Name, Number
from chiso.engine.framework import Framework, InputType, Node
from chiso.engine.kernels import TOLERANCE
from chiso.engine.scoring import Results, score
from chiso.engine.values import Values

GoalKind = Literal["recognition", "value", "rank"]
Reason = Literal["unknown-unit", "no-recognition-rule", "bad-goal", "no-points", "unreachable"]

# Nodes of the branch and bound before it settles for the best plan found.
NODE_BUDGET: Final = 200_000
# Level combinations of the chosen discrete indicators tried for the least overshoot.
MAX_COMBINATIONS: Final = 4096


@dataclass(frozen=True)
class Goal:
    """What the unit wants: recognition, a value (0..1) or a rank (1 = best)."""

    kind: GoalKind
    target: float | None = None

    @classmethod
    def parse(cls, text: str) -> Goal:
        """``recognition``, ``value:0.8`` or ``rank:10``; ValueError with a message."""
        kind, _, argument = text.strip().partition(":")
        kind = kind.strip().lower()
        if kind == "recognition" and not argument:
            return cls("recognition")
        if kind in ("value", "rank") and argument:
            try:
                target = float(argument.replace(",", "."))
            except ValueError:
                raise ValueError(f"goal {text!r}: {argument!r} is not a number") from None
            return cls(kind, target)  # type: ignore[arg-type]
        raise ValueError(f"goal {text!r}: use recognition, value:0.8 or rank:10")

    def __str__(self) -> str:
        if self.target is None:
            return self.kind
        return f"{self.kind}:{self.target:g}"


@dataclass(frozen=True)
class ElementChange:
    """An element of a formula and the value that gives the indicator its new value."""

    code: str
    value_from: float
    """NaN where the element is missing."""
    value_to: float


@dataclass(frozen=True)
class Step:
    """One indicator to change."""

    code: str
    value_from: float
    """The indicator's value now (NaN where missing)."""
    value_to: float
    score_from: float
    score_to: float
    points: float
    """Points gained."""
    effort: float
    elements: tuple[ElementChange, ...] = ()
    """For a ratio or sum formula: the element change that gives `value_to`."""


@dataclass(frozen=True)
class Plan:
    """The steps that take `unit` to `goal`, or why none can (`reason`)."""

    unit: str
    goal: Goal
    points_now: float
    points_needed: float
    """Total points the goal needs (0 where only mandatory indicators are missing)."""
    steps: tuple[Step, ...] = ()
    reason: Reason | None = None
    message: str = ""
    proven_optimal: bool = True

    @property
    def feasible(self) -> bool:
        return self.reason is None

    @property
    def points_gained(self) -> float:
        return float(sum(step.points for step in self.steps))

    @property
    def points_after(self) -> float:
        return self.points_now + self.points_gained

    @property
    def effort(self) -> float:
        return float(sum(step.effort for step in self.steps))


# ---------------------------------------------------------------------------
# One indicator's reachable scores


@dataclass
class _Option:
    """The scores an indicator can reach, as gains in points.

    Continuous options reach any gain in (low, high]; discrete ones the gains
    in `levels`. A forced (unmet mandatory) option must gain at least `low`.
    """

    leaf: int
    cost: float
    forced: bool
    continuous: bool
    low: float
    high: float
    levels: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Leaf:
    node: Node
    points: float
    score: float
    value: float
    effort: float


def plan(
    framework: Framework,
    values: Values,
    unit: str,
    goal: Goal | str,
    *,
    results: Results | None = None,
) -> Plan:
    """The cheapest changes that take `unit` to `goal` (see the module docstring).

    `results` may pass `score(framework, values)` in when planning many units.
    Never raises on data: an impossible goal gives a `Plan` with a `reason`.
    """
    if isinstance(goal, str):
        goal = Goal.parse(goal)
    if results is None:
        results = score(framework, values)
    row = results._row.get(unit)
    if row is None:
        return Plan(unit, goal, math.nan, math.nan, reason="unknown-unit", message="not scored")
    now = float(results.points[row])
    total = framework.max_points
    no_value = goal.kind == "value" or (
        goal.kind == "recognition"
        and framework.recognition is not None
        and (framework.recognition.min_value or 0) > 0
    )
    if total <= 0 and no_value:
        # Without points there is no framework value to raise (it is empty).
        return Plan(unit, goal, now, 0.0, reason="no-points", message="the framework has no points")
    needed, forced_codes, problem = _need(framework, results, row, goal)
    if problem is not None:
        return Plan(unit, goal, now, math.nan, reason=problem[0], message=problem[1])
    slack = TOLERANCE * max(1.0, abs(needed))
    if not forced_codes and needed - now <= slack:
        # Already there: the search below would choose nothing (publishing plans every
        # unit, and many are recognized already).
        return Plan(unit, goal, now, max(needed, 0.0))
    leaves = _Leaves(framework, results, row)
    fixed = _fixed_curves(framework)
    options = [
        option
        for index, score_now in enumerate(leaves.scores)
        if (
            option := _option(
                index, leaves, score_now, framework, results, row, forced_codes, fixed[index]
            )
        )
        is not None
    ]
    stuck = sorted(forced_codes - {leaves.node(option.leaf).code for option in options})
    if stuck:
        # A mandatory indicator whose pass mark its type cannot reach (a percent above 100).
        message = f"mandatory {', '.join(stuck)} cannot be met"
        return Plan(unit, goal, now, needed, reason="unreachable", message=message)
    missing = needed - now
    forced = [option for option in options if option.forced]
    free = [option for option in options if not option.forced and option.high > slack]
    reachable = sum(option.high for option in forced) + sum(option.high for option in free)
    if missing > reachable + slack:
        message = f"needs {missing:g} more points; at most {reachable:g} can still be earned"
        return Plan(unit, goal, now, needed, reason="unreachable", message=message)
    weighted = framework.memo(
        "plan-weighted", lambda framework: any(leaf.effort != 1.0 for leaf in framework.leaves)
    )
    chosen, gains, optimal = _search(forced, free, missing, slack, weighted)
    # The unit's entered values, read once for the elements of every step.
    entered = _element_values(values, row) if chosen else {}
    steps = tuple(
        _step(leaves.leaf(option.leaf), option, gain, framework, results, row, fixed, entered)
        for option, gain in zip(chosen, gains, strict=True)
        if gain > 0 or option.forced
    )
    return Plan(unit, goal, now, max(needed, 0.0), steps, proven_optimal=optimal)


def _need(
    framework: Framework, results: Results, row: int, goal: Goal
) -> tuple[float, set[str], tuple[Reason, str] | None]:
    """Total points the goal needs, the mandatory indicators to meet, or a problem."""
    total = framework.max_points
    if goal.kind == "recognition":
        rule = framework.recognition
        if rule is None:
            return 0.0, set(), ("no-recognition-rule", "the framework has no recognition rule")
        needed = rule.min_points if rule.min_points is not None else (rule.min_value or 0) * total
        forced: set[str] = set()
        if rule.all_mandatory:
            met = results.mandatory_met[row].tolist()
            forced = {code for code, ok in zip(results.mandatory_codes, met, strict=True) if not ok}
        if needed > total + TOLERANCE * max(1.0, total):
            return 0.0, set(), ("unreachable", f"needs {needed:g} points of {total:g}")
        return float(needed), forced, None
    target = goal.target
    if target is None or not math.isfinite(target):
        return 0.0, set(), ("bad-goal", f"goal {goal.kind} needs a number")
    if goal.kind == "value":
        if not 0.0 <= target <= 1.0:
            return 0.0, set(), ("bad-goal", f"a value goal is between 0 and 1, not {target:g}")
        return target * total, set(), None
    if target < 1 or target != int(target):
        return 0.0, set(), ("bad-goal", f"a rank goal is a whole number from 1, not {target:g}")
    others = np.delete(np.nan_to_num(results.value, nan=-np.inf), row)
    rank = int(target)
    if others.size < rank:
        return 0.0, set(), None
    # Rank k is reached when fewer than k others are ahead: matching the k-th best.
    kth = float(-np.partition(-others, rank - 1)[rank - 1])
    return (max(kth, 0.0) * total if math.isfinite(kth) else 0.0), set(), None


class _Leaves:
    """One unit's indicators (file order): their scores now, and each as a `_Leaf` when
    a step needs it. Planning every unit of a province looks at some 100,000
    indicators: only the few its steps change are made into objects."""

    def __init__(self, framework: Framework, results: Results, row: int) -> None:
        self.scores: list[float] = results.node_values[row, _leaf_positions(framework)].tolist()
        self.raw: list[float] = results.leaf_values[row].tolist()
        self.static = _static_leaves(framework)

    def node(self, index: int) -> Node:
        return self.static[index][0]

    def leaf(self, index: int) -> _Leaf:
        node, points, effort, _ = self.static[index]
        return _Leaf(node, points, self.scores[index], self.raw[index], effort)


def _static_leaves(framework: Framework) -> list[tuple[Node, float, float, float]]:
    """Per indicator (file order): its node, points, effort and pass mark (1 unless set)."""
    return framework.memo(
        "plan-static-leaves",
        lambda framework: [
            (
                leaf,
                float(leaf.points or 0.0),
                leaf.effort,
                leaf.pass_ if leaf.pass_ is not None else 1.0,
            )
            for leaf in framework.leaves
        ],
    )


def _leaf_positions(framework: Framework) -> list[int]:
    return framework.memo(
        "plan-leaf-positions",
        lambda framework: [index for index, node in enumerate(framework.nodes) if node.is_leaf],
    )


# ---------------------------------------------------------------------------
# Scores an indicator can reach, and the value for a score


@dataclass(frozen=True)
class _Curve:
    """How an indicator's value maps to its score (the inverse the planner needs)."""

    method: str
    zero: float = 0.0
    full: float = 1.0
    levels: tuple[tuple[float, float], ...] = ()
    """(score, value) pairs for discrete methods, the value that first gives the score."""


_Fixed = list[tuple[_Curve, float] | None]


def _fixed_curves(framework: Framework) -> _Fixed:
    """Per indicator (file order): its curve and the best score its type allows, the
    same for every unit except for `relative` scoring (None: worked out per unit)."""

    def build(framework: Framework) -> _Fixed:
        fixed: _Fixed = []
        for leaf in framework.leaves:
            rule = leaf.score
            if rule is None or rule.method == "relative":
                fixed.append(None)
                continue
            curve = _curve(leaf, None, 0, 0)
            fixed.append((curve, _top_score(leaf, framework, curve)))
        return fixed

    return framework.memo("plan-fixed-curves", build)


def _curve(node: Node, results: Results | None, row: int, position: int) -> _Curve:
    rule = node.score
    assert rule is not None
    if rule.method == "linear":
        assert rule.zero is not None and rule.full is not None
        return _Curve("linear", rule.zero, rule.full)
    if rule.method == "threshold":
        bound = rule.at_least if rule.at_least is not None else rule.at_most
        assert bound is not None
        return _Curve("discrete", levels=((1.0, bound),))
    if rule.method == "boolean":
        return _Curve("discrete", levels=((1.0, 1.0),))
    if rule.method == "steps":
        first: dict[float, float] = {}
        for x, s in rule.steps:
            first.setdefault(s, x)
        return _Curve("discrete", levels=tuple(sorted(first.items())))
    # relative: against the other units' values, which the change leaves in place.
    assert results is not None
    column = np.delete(results.leaf_values[:, position], row)
    present = column[~np.isnan(column)]
    if present.size == 0:
        return _Curve("discrete", levels=((1.0, 0.0),))
    low, high = float(present.min()), float(present.max())
    if high > low:
        return _Curve("relative", low, high)
    return _Curve("discrete", levels=((1.0, high),))


def _option(
    index: int,
    leaves: _Leaves,
    score_now: float,
    framework: Framework,
    results: Results,
    row: int,
    forced_codes: set[str],
    fixed: tuple[_Curve, float] | None = None,
) -> _Option | None:
    node, points, effort, pass_mark = leaves.static[index]
    forced = node.code in forced_codes
    if points <= 0 and not forced:
        return None
    if fixed is None:
        curve = _curve(node, results, row, index)
        top = _top_score(node, framework, curve)
    else:
        curve, top = fixed
    floor = max(pass_mark - TOLERANCE, score_now) if forced else score_now
    if curve.method in ("linear", "relative"):
        if top <= floor + TOLERANCE and not (forced and top >= pass_mark - TOLERANCE):
            return None
        low = points * max(0.0, floor - score_now) if forced else 0.0
        return _Option(index, effort, forced, True, low, points * (top - score_now))
    reachable = [s for s, _ in curve.levels if s > score_now + TOLERANCE and s <= top]
    if forced:
        reachable = [s for s in reachable if s >= pass_mark - TOLERANCE]
    if not reachable:
        return None
    gains = tuple(points * (s - score_now) for s in reachable)
    return _Option(index, effort, forced, False, min(gains), max(gains), gains)


def _top_score(node: Node, framework: Framework, curve: _Curve) -> float:
    """The best score the indicator's own type allows (a percent stops at 100)."""
    if node.formula is not None or curve.method != "linear":
        return 1.0
    low, high = _domain(framework.input_type(node.code))
    best = curve.full if curve.full > curve.zero else curve.zero
    reach = min(best, high) if curve.full > curve.zero else max(curve.full, low)
    return _linear(reach, curve)


def _domain(type_: InputType) -> tuple[float, float]:
    if type_ == "percent":
        return 0.0, 100.0
    if type_ == "boolean":
        return 0.0, 1.0
    return -math.inf, math.inf


def _linear(value: float, curve: _Curve) -> float:
    return min(max((value - curve.zero) / (curve.full - curve.zero), 0.0), 1.0)


# ---------------------------------------------------------------------------
# The search


def _search(
    forced: list[_Option], free: list[_Option], missing: float, slack: float, weighted: bool
) -> tuple[list[_Option], list[float], bool]:
    """Options chosen (forced first) and the gain of each; and whether proven optimal."""

    def cost(option: _Option) -> float:
        return option.cost if weighted else 1.0

    # Best value for money first: the order of the greedy bound and of the search.
    free = sorted(free, key=lambda o: (-o.high / cost(o) if cost(o) > 0 else -math.inf, o.leaf))
    gains = [option.high for option in free]
    costs = [cost(option) for option in free]
    need = missing - sum(option.high for option in forced)
    best: list[tuple[float, float, list[int]]] = []
    budget = [NODE_BUDGET]

    def bound(start: int, rest: float) -> float:
        # Fractional knapsack over the remaining options: a lower bound on the cost.
        spent = 0.0
        for position in range(start, len(free)):
            if gains[position] >= rest:
                part = costs[position] * rest / gains[position]
                return spent + (part if weighted else math.ceil(part - 1e-9))
            rest -= gains[position]
            spent += costs[position]
        return math.inf

    def visit(start: int, picked: list[int], spent: float, rest: float) -> None:
        budget[0] -= 1
        if rest <= slack:
            over, _ = _levels(forced, [free[i] for i in picked], missing, slack)
            if (
                not best
                or (spent, over) < (best[0][0] - 1e-9, best[0][1])
                or (abs(spent - best[0][0]) <= 1e-9 and over < best[0][1] - slack)
            ):
                best[:] = [(spent, over, list(picked))]
            return
        if start == len(free) or budget[0] <= 0:
            return
        if best:
            floor = spent + bound(start, rest)
            if floor > best[0][0] + 1e-9 or (floor >= best[0][0] - 1e-9 and best[0][1] <= slack):
                return
        picked.append(start)
        visit(start + 1, picked, spent + costs[start], rest - gains[start])
        picked.pop()
        visit(start + 1, picked, spent, rest)

    visit(0, [], 0.0, need)
    chosen = [free[i] for i in best[0][2]] if best else []
    _, allotted = _levels(forced, chosen, missing, slack)
    return [*forced, *chosen], allotted, budget[0] > 0


def _levels(
    forced: Sequence[_Option], chosen: Sequence[_Option], missing: float, slack: float
) -> tuple[float, list[float]]:
    """The least overshoot for these options, and the gain of each (forced first)."""
    options = [*forced, *chosen]
    discrete = [i for i, option in enumerate(options) if not option.continuous]
    continuous = [i for i, option in enumerate(options) if option.continuous]
    base = sum(options[i].low for i in continuous)
    room = sum(options[i].high - options[i].low for i in continuous)
    choices = [options[i].levels for i in discrete]
    size = math.prod(len(levels) for levels in choices)
    combos = itertools.product(*choices) if size <= MAX_COMBINATIONS else [tuple(map(max, choices))]
    best_over, best_combo = math.inf, tuple(map(max, choices))
    for combo in combos:
        fixed = sum(combo) + base
        if fixed + room < missing - slack:
            continue
        over = max(0.0, fixed - missing)
        if over < best_over - slack:
            best_over, best_combo = over, combo
            if over <= slack:
                break
    gains = [0.0] * len(options)
    for i, gain in zip(discrete, best_combo, strict=True):
        gains[i] = gain
    rest = max(0.0, missing - sum(best_combo) - base)
    for i in continuous:
        extra = min(rest, options[i].high - options[i].low)
        gains[i] = options[i].low + extra
        rest -= extra
    return best_over, gains


# ---------------------------------------------------------------------------
# From a gain to the values that give it


def _step(
    leaf: _Leaf,
    option: _Option,
    gain: float,
    framework: Framework,
    results: Results,
    row: int,
    fixed: _Fixed,
    entered: dict[str, float],
) -> Step:
    node = leaf.node
    found = fixed[option.leaf]
    curve = _curve(node, results, row, option.leaf) if found is None else found[0]
    target = leaf.score + gain / leaf.points if leaf.points > 0 else 1.0
    if option.forced and node.pass_ is not None:
        target = max(target, node.pass_)
    if option.forced and node.pass_ is None:
        target = max(target, 1.0)
    target = min(target, 1.0)
    if curve.method in ("linear", "relative"):
        value = curve.zero + target * (curve.full - curve.zero)
        if node.formula is None and framework.input_type(node.code) == "integer":
            value = math.ceil(value - 1e-9) if curve.full > curve.zero else math.floor(value + 1e-9)
    else:
        value = next(x for s, x in curve.levels if s >= target - TOLERANCE)
    elements: tuple[ElementChange, ...] = ()
    expr = framework.formula(node.code)
    if expr is not None:
        elements, value = _elements(expr, value, framework, entered, curve)
    reached = _score_of(value, curve)
    return Step(
        code=node.code,
        value_from=leaf.value,
        value_to=float(value),
        score_from=leaf.score,
        score_to=reached,
        points=leaf.points * (reached - leaf.score),
        effort=leaf.effort,
        elements=elements,
    )


def _score_of(value: float, curve: _Curve) -> float:
    if curve.method == "linear":
        return _linear(value, curve)
    if curve.method == "relative":
        low = min(curve.zero, value)
        return 1.0 if value >= curve.full else (value - low) / (curve.full - low)
    reached = [s for s, x in curve.levels if value >= x - TOLERANCE * max(1.0, abs(x))]
    return max(reached, default=0.0)


def _elements(
    expr: Expr,
    value: float,
    framework: Framework,
    now: dict[str, float],
    curve: _Curve,
) -> tuple[tuple[ElementChange, ...], float]:
    """The element change giving the formula `value`, and the value it really gives
    (`now`: the unit's entered values)."""
    shape = _ratio(expr)
    if shape is not None:
        numerator, denominator, factor = shape
        below = now.get(denominator, math.nan)
        if not math.isfinite(below) or below == 0 or factor == 0:
            return (), value
        wanted = value * below / factor
        candidates = _rounded(wanted, framework.input_type(numerator))
        best = _pick(candidates, lambda a: factor * a / below, value, curve)
        return (ElementChange(numerator, now.get(numerator, math.nan), best),), (
            factor * best / below
        )
    terms = _sum_terms(expr)
    if terms is not None:
        names, constant = terms
        changes = [
            ElementChange(name, math.nan, 0.0)
            for name in names[1:]
            if math.isnan(now.get(name, math.nan))
        ]
        rest = constant + sum(
            0.0 if math.isnan(now.get(name, math.nan)) else now.get(name, math.nan)
            for name in names[1:]
        )
        first = names[0]
        candidates = _rounded(value - rest, framework.input_type(first))
        best = _pick(candidates, lambda a: a + rest, value, curve)
        return (ElementChange(first, now.get(first, math.nan), best), *changes), best + rest
    return (), value


def _pick(candidates: Sequence[float], formula: object, value: float, curve: _Curve) -> float:
    """The candidate element value whose formula value scores at least `value`'s score."""
    assert callable(formula)
    wanted = _score_of(value, curve)
    for candidate in candidates:
        if _score_of(formula(candidate), curve) >= wanted - TOLERANCE:
            return candidate
    return candidates[-1]


def _rounded(value: float, type_: InputType) -> list[float]:
    if type_ == "integer":
        # The nearer whole number first, then the other side.
        low, high = math.floor(value + 1e-9), math.ceil(value - 1e-9)
        return sorted({float(low), float(high)}, key=lambda x: abs(x - value))
    return [value]


def _element_values(values: Values, row: int) -> dict[str, float]:
    return dict(zip(values.codes, values.matrix[row].tolist(), strict=True))


def _ratio(expr: Expr) -> tuple[str, str, float] | None:
    """(numerator, denominator, factor) when `expr` is factor * a / b in any usual writing."""
    if isinstance(expr, BinOp) and expr.op == "/" and isinstance(expr.right, Name):
        left = expr.left
        if isinstance(left, Name):
            return left.code, expr.right.code, 1.0
        if isinstance(left, BinOp) and left.op == "*":
            if isinstance(left.left, Number) and isinstance(left.right, Name):
                return left.right.code, expr.right.code, left.left.value
            if isinstance(left.right, Number) and isinstance(left.left, Name):
                return left.left.code, expr.right.code, left.right.value
    if isinstance(expr, BinOp) and expr.op == "*":
        number, other = (
            (expr.left, expr.right) if isinstance(expr.left, Number) else (expr.right, expr.left)
        )
        if isinstance(number, Number):
            inner = _ratio(other)
            if inner is not None and inner[2] == 1.0:
                return inner[0], inner[1], number.value
    return None


def _sum_terms(expr: Expr) -> tuple[list[str], float] | None:
    """(element codes, constant) when `expr` is a plain sum of elements and numbers."""
    if isinstance(expr, Name):
        return [expr.code], 0.0
    if isinstance(expr, Number):
        return [], expr.value
    if isinstance(expr, BinOp) and expr.op == "+":
        left, right = _sum_terms(expr.left), _sum_terms(expr.right)
        if left is None or right is None:
            return None
        names = left[0] + right[0]
        if not names or len(set(names)) != len(names):
            return None
        return names, left[1] + right[1]
    return None
