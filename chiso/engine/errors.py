"""The engine's one error type and the problem records it carries.

Every check in the engine collects `Problem`s instead of stopping at the first
one, so that an officer fixing a framework or a values file sees the whole list
at once. The CLI, the web app and the API turn an `EngineError` into a user
message at a single boundary each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with an input."""

    message: str
    """English, one line, names the code or key."""
    where: str | None = None
    """Node or element code, key path ("tree[2].score.zero") or unit code."""
    line: int | None = None
    """1-based line in the source text, when known."""
    source: str | None = None
    """File name given by the caller."""
    rule: int | None = None
    """For a broken validation rule: its index in `Framework.validation`."""

    def __str__(self) -> str:
        # "source:line: where: message", leaving out the parts that are unknown.
        location = ":".join(str(part) for part in (self.source, self.line) if part is not None)
        parts = [part for part in (location, self.where) if part]
        return ": ".join([*parts, self.message])


class EngineError(Exception):
    """Raised with every problem found in a framework, a values set or a call."""

    problems: list[Problem]

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
