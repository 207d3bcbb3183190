"""The published results as the API gives them: one ninja schema per shape.

Publishing serializes each unit's row through `ResultRow` once and stores the text
(`row_texts`); the API's answer joins those texts inside the envelope `ResultsHead`
writes, so what a client reads is always the schema's output, and the OpenAPI document
(chiso.api.results) describes these very classes. They live here, below the API,
because publishing uses them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ninja import Schema
from pydantic import BaseModel, Field

# A row, its pillars and indicator scores are plain pydantic models (ninja takes any as
# a schema): ninja's Schema wraps each value it validates in its attribute getter, and
# for a province's 120,000 indicator scores that made publishing's validation about
# eight times slower (3.5 s instead of 0.4 s, more than json.dumps took); rows are
# always given as dicts (`cards.api_row_renderer`), which need no getter.


class Pillar(BaseModel):
    code: str
    value: float | None = Field(description="0..1")
    rank: int | None
    out_of: int | None = Field(
        None, description="How many units the pillar's rank is out of (the units ranked, N)."
    )


class IndicatorScore(BaseModel):
    code: str
    value: float | None = Field(description="The indicator's figure (formula result).")
    score: float | None = Field(description="0..1; null where the indicator does not apply")
    points: float | None
    applies: bool = Field(True, description="False where the indicator does not apply to the unit")


class ResultRow(BaseModel):
    unit: dict[str, Any] = Field(description="id, code, name, kind")
    assessed: bool
    rank: int | None
    out_of: int | None = Field(
        None, description="How many units the rank is out of (the units ranked, N)."
    )
    value: float | None = Field(description="0..1")
    points: float | None
    recognized: bool | None
    completeness: float | None
    pillars: list[Pillar]
    indicators: list[IndicatorScore]
    unmet_mandatory: list[str]
    not_applicable: list[str] = Field(
        default_factory=list, description="The indicators that do not apply to the unit."
    )
    unit_max_points: float | None = Field(
        None,
        description="The points of the indicators that apply to the unit (its points are "
        "value × max_points, comparable with every unit's).",
    )


class ResultsHead(Schema):
    """A results answer but its items (which `ResultsPage` adds, last)."""

    period: int
    level: str
    version: int | None = Field(description="Published version; null when provisional.")
    provisional: bool
    published_at: str | None
    framework: dict[str, Any] = Field(description="code, version, sha256")
    max_points: float
    ranked: int = Field(description="How many units were assessed and ranked (N).")
    units: int = Field(description="How many units the level has in the ranking (M).")
    count: int
    next: str | None
    previous: str | None


class ResultsPage(ResultsHead):
    items: list[ResultRow]


def row_texts(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Each rendered row (`cards.api_row_renderer`) validated and written by `ResultRow`
    (compact JSON)."""
    return [ResultRow.model_validate(row).model_dump_json() for row in rows]


def answer(head: Mapping[str, Any], texts: Iterable[bytes]) -> bytes:
    """A results answer: the envelope `ResultsHead` writes, with the rows' texts (each one
    `ResultRow`'s output, UTF-8) joined as its `items`, nothing decoded again."""
    envelope = ResultsHead.model_validate(dict(head)).model_dump_json().encode()
    return b"".join((envelope[:-1], b',"items":[', b",".join(texts), b"]}"))
