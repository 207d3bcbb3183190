"""What the API answers, as pydantic schemas (the OpenAPI document is built from these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt


class Text(Schema):
    vi: str
    en: str | None = None


class UnitRef(Schema):
    id: int
    code: str
    name: str


class LineageLink(UnitRef):
    whole: bool = Field(description="The whole old unit went in (false: a part of it).")


class UnitOut(Schema):
    id: int = Field(description="Stable id: codes repeat across the 2025 reform.")
    code: str
    name: str
    level: str
    kind: str
    parent: UnitRef | None
    province_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    latitude: float | None
    longitude: float | None
    area_km2: float | None
    predecessors: list[LineageLink]
    successors: list[LineageLink]


class FrameworkOut(Schema):
    code: str
    version: int
    level: str
    year: int
    title: Text
    sha256: str = Field(description="SHA-256 of the YAML file, as served.")
    created_at: dt.datetime
    file: str = Field(description="Link to the YAML file.")
    tree: str = Field(description="Link to the tree.")


class NodeOut(Schema):
    code: str
    title: Text
    points: float | None = Field(description="Points of an indicator.")
    max_points: float
    unit: str | None
    mandatory: bool
    may_not_apply: bool = Field(
        False, description="The DX office may mark it as not applying to some units."
    )
    pass_value: float | None = Field(None, alias="pass")
    formula: str | None
    score: dict[str, Any] | None = Field(
        description="The scoring rule as in the file (`better` for relative scoring only)."
    )
    children: list[NodeOut]


class FrameworkTree(FrameworkOut):
    max_points: float
    missing: str = Field("zero", description="What a missing value does: zero or exclude.")
    recognition: dict[str, Any] | None
    elements: list[dict[str, Any]]
    nodes: list[NodeOut]


class PeriodLevel(Schema):
    level: str
    framework_code: str
    framework_version: int
    published: bool


class PeriodOut(Schema):
    id: int
    year: int
    name: str
    opens_on: dt.date
    closes_on: dt.date
    reference_date: dt.date
    published_at: dt.datetime | None
    levels: list[PeriodLevel]


class SubmissionStatus(Schema):
    id: int
    unit: UnitRef
    level: str
    status: str
    version: int
    round: int
    deadline: dt.date
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    updated_at: dt.datetime


class ValuesIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    version: StrictInt | None = Field(
        None,
        description="The submission's version the figures are based on; a save on an older "
        "version is refused (409). Leave out to write over whatever is there.",
    )
    values: dict[str, float | bool | str | None] = Field(
        description="Figures by input code. Numbers as JSON numbers (or text as on the "
        "forms: '98,7', 'có'); null clears a figure. Codes not given are left as they are."
    )
    reason: str = Field("", max_length=500)


class ValuesOut(Schema):
    submission: int
    version: int
    changed: int
    values: dict[str, float | None]


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    codes: list[str]
