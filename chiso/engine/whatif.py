"""What-if: score the same units under changed points, thresholds, recognition or values.

The DX office tries a change before it issues next year's criteria and sees who
would move. A change never edits a stored framework: `apply_changes` returns a new
framework mapping (the file's YAML as data), which `what_if` parses and scores
beside the original, and which the caller may keep as a draft file.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chiso.engine.errors import EngineError, Problem
from chiso.engine.framework import Framework, framework_from_dict
from chiso.engine.scoring import Results, score
from chiso.engine.values import Values

# The keys of a `score` rule that a what-if may change: the numbers, never the method.
SCORE_KEYS = ("zero", "full", "at_least", "at_most")
RECOGNITION_KEYS = ("min_points", "min_value", "all_mandatory")


@dataclass(frozen=True)
class Changes:
    """What the DX office tries. Every part is optional.

    - `points`: indicator code -> new points (>= 0).
    - `score`: indicator code -> {zero, full, at_least, at_most} -> new number.
    - `recognition`: {min_points | min_value, all_mandatory}; an empty mapping keeps
      the framework's rule. Setting `min_points` drops `min_value` and vice versa.
    - `values`: unit -> input code -> figure (None clears it).
    """

    points: Mapping[str, float] = field(default_factory=dict)
    score: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    recognition: Mapping[str, float | bool] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> Changes:
        """Reads changes sent by a page (JSON objects); raises EngineError naming the key."""
        if not isinstance(data, Mapping):
            raise _error("changes", "what-if changes must be an object")
        problems: list[Problem] = []
        points = _numbers(data.get("points", {}), "points", problems)
        scores: dict[str, dict[str, float]] = {}
        raw_scores = data.get("score", {})
        if not isinstance(raw_scores, Mapping):
            problems.append(_problem("score", "must be an object"))
        else:
            for code, keys in raw_scores.items():
                scores[str(code)] = _numbers(keys, f"score.{code}", problems)
        recognition: dict[str, float | bool] = {}
        raw_recognition = data.get("recognition", {})
        if not isinstance(raw_recognition, Mapping):
            problems.append(_problem("recognition", "must be an object"))
        else:
            for key, value in raw_recognition.items():
                if key == "all_mandatory" and isinstance(value, bool):
                    recognition[key] = value
                elif key in ("min_points", "min_value") and _is_number(value):
                    recognition[key] = float(value)
                else:
                    where = f"recognition.{key}"
                    problems.append(_problem(where, "is not a setting"))
        values: dict[str, dict[str, float | None]] = {}
        raw_values = data.get("values", {})
        if not isinstance(raw_values, Mapping):
            problems.append(_problem("values", "must be an object"))
        else:
            for unit, figures in raw_values.items():
                if not isinstance(figures, Mapping):
                    where = f"values.{unit}"
                    problems.append(_problem(where, "must be an object"))
                    continue
                values[str(unit)] = {
                    str(code): None if value is None else float(value)
                    for code, value in figures.items()
                    if value is None or _is_number(value)
                }
        if problems:
            raise EngineError(problems)
        return cls(points=points, score=scores, recognition=recognition, values=values)

    @property
    def empty(self) -> bool:
        return not (self.points or self.score or self.recognition or self.values)


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and bool(np.isfinite(float(value)))
    )


def _numbers(data: Any, where: str, problems: list[Problem]) -> dict[str, float]:
    if not isinstance(data, Mapping):
        problems.append(_problem(where, "must be an object"))
        return {}
    out: dict[str, float] = {}
    for key, value in data.items():
        if _is_number(value):
            out[str(key)] = float(value)
        else:
            problems.append(_problem(f"{where}.{key}", "must be a finite number"))
    return out


def _problem(where: str, message: str) -> Problem:
    return Problem(message, where=where, code="what_if")


def _error(where: str, message: str) -> EngineError:
    return EngineError([_problem(where, message)])


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    for node in tree or ():
        if isinstance(node, dict):
            yield node
            yield from _nodes(node.get("children"))


def apply_changes(data: Mapping[str, Any], changes: Changes) -> dict[str, Any]:
    """A copy of a framework mapping with the changes applied (values aside).

    Unknown indicator codes, or a score key the indicator's method does not have,
    raise EngineError; the result is validated only when it is parsed.
    """
    changed = copy.deepcopy(dict(data))
    leaves = {
        str(node.get("code")): node
        for node in _nodes(changed.get("tree"))
        if not node.get("children")
    }
    problems: list[Problem] = []
    for code, points in changes.points.items():
        if code not in leaves:
            problems.append(_problem(f"points.{code}", "no such indicator"))
            continue
        leaves[code]["points"] = points
    for code, keys in changes.score.items():
        node = leaves.get(code)
        rule = node.get("score") if node is not None else None
        if not isinstance(rule, dict):
            problems.append(_problem(f"score.{code}", "no such indicator"))
            continue
        for key, value in keys.items():
            if key not in SCORE_KEYS or key not in rule:
                where = f"score.{code}.{key}"
                problems.append(_problem(where, "this rule has no such number"))
                continue
            rule[key] = value
    if changes.recognition:
        recognition = dict(changed.get("recognition") or {})
        for key, value in changes.recognition.items():
            if key == "min_points":
                recognition.pop("min_value", None)
            elif key == "min_value":
                recognition.pop("min_points", None)
            recognition[key] = value
        changed["recognition"] = recognition
    if problems:
        raise EngineError(problems)
    return changed


@dataclass(frozen=True)
class Move:
    """One unit's result before and after the change."""

    unit: str
    rank_before: int
    rank_after: int
    value_before: float
    value_after: float
    recognized_before: bool | None
    recognized_after: bool | None

    @property
    def gains_recognition(self) -> bool:
        return bool(self.recognized_after) and not self.recognized_before

    @property
    def loses_recognition(self) -> bool:
        return bool(self.recognized_before) and not self.recognized_after


@dataclass(frozen=True)
class WhatIf:
    """The original and the changed results of the same units."""

    framework: Framework  # the changed framework
    data: dict[str, Any]  # its file, as data (to keep as a draft)
    before: Results
    after: Results
    moves: tuple[Move, ...]  # every unit, in the changed ranking's order

    @property
    def gained(self) -> tuple[str, ...]:
        return tuple(m.unit for m in self.moves if m.gains_recognition)

    @property
    def lost(self) -> tuple[str, ...]:
        return tuple(m.unit for m in self.moves if m.loses_recognition)


def what_if(
    data: Mapping[str, Any],
    figures: Mapping[str, Mapping[str, float]],
    changes: Changes,
    *,
    original: Framework | None = None,
) -> WhatIf:
    """Scores `figures` under the framework `data` and under it changed.

    `original` is `data` already parsed (a caller that caches it saves the parse).
    Raises EngineError when the changes name what does not exist or make the
    framework invalid (for example negative points).
    """
    base = original if original is not None else framework_from_dict(data)
    changed_data = apply_changes(data, changes)
    changed = framework_from_dict(changed_data, source="<what-if>")
    base_values = Values.from_mapping(base, figures)
    before = score(base, base_values)
    if changed.input_codes != base.input_codes:  # a what-if changes numbers, never inputs
        raise _error("changes", "the inputs of the framework changed")
    matrix = base_values.matrix.copy()
    row_of = {unit: i for i, unit in enumerate(base_values.units)}
    problems: list[Problem] = []
    known = set(changed.input_codes)
    for unit, row in changes.values.items():
        if unit not in row_of:
            problems.append(_problem(f"values.{unit}", "no such unit"))
        for code in row:
            if code not in known:
                problems.append(_problem(f"values.{unit}.{code}", "no such input"))
    if problems:
        raise EngineError(problems)
    if changes.values:
        # Only the changed figures are read (and checked against their types) again.
        edited = {
            unit: {**_present(base_values, row_of[unit]), **row}
            for unit, row in changes.values.items()
        }
        fresh = Values.from_mapping(changed, edited)
        for i, unit in enumerate(fresh.units):
            matrix[row_of[unit]] = fresh.matrix[i]
    after = score(changed, Values(base_values.units, base_values.codes, matrix))
    moves = _moves(before, after)
    return WhatIf(framework=changed, data=changed_data, before=before, after=after, moves=moves)


def _present(values: Values, row: int) -> dict[str, float]:
    """One unit's figures that are there (NaN is a missing figure)."""
    return {
        code: float(value)
        for code, value in zip(values.codes, values.matrix[row], strict=True)
        if not np.isnan(value)
    }


def _moves(before: Results, after: Results) -> tuple[Move, ...]:
    # Both scorings keep the order of the units handed in, so rows line up.
    order = after.order()
    rec_before = before.recognized
    rec_after = after.recognized
    return tuple(
        Move(
            unit=after.units[i],
            rank_before=int(before.rank[i]),
            rank_after=int(after.rank[i]),
            value_before=float(before.value[i]),
            value_after=float(after.value[i]),
            recognized_before=None if rec_before is None else bool(rec_before[i]),
            recognized_after=None if rec_after is None else bool(rec_after[i]),
        )
        for i in order
    )
