"""A framework document from a criteria table: read, checked by the engine, as YAML.

`workbook_to_dict` reads the workbook (chiso.frameworks.excel_reader), lets the engine
have the last word and places each of its problems on the row it came from;
`workbook_to_yaml` gives the chiso-framework/1 text. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chiso import engine
from chiso.frameworks.excel_columns import FORMAT
from chiso.frameworks.excel_reader import Reader
from chiso.frameworks.problems import problem_text
from chiso.lib.uploads import Issue, TableError, open_workbook, sniff


def workbook_to_dict(data: bytes, filename: str = "criteria.xlsx") -> dict[str, Any]:
    """The framework document read from a criteria table; TableError lists every problem."""
    sniff(data, filename, allow_csv=False)
    workbook = open_workbook(data, filename)
    reader = Reader()
    try:
        info = reader.info(workbook)
        elements = reader.elements(workbook)
        rules = reader.rules(workbook)
        tree = reader.criteria(workbook)
    finally:
        workbook.close()
    if reader.issues:
        raise TableError(_in_file_order(reader.issues))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "code": info.get("code"),
        "title": {"vi": info.get("title")},
        "level": info.get("level"),
        "year": info.get("year"),
        "missing": "zero",
    }
    if info.get("title_en"):
        doc["title"]["en"] = info["title_en"]
    if info.get("source"):
        doc["source"] = info["source"]
    if info.get("description"):
        doc["description"] = {"vi": info["description"]}
    if "min_points" in info or "min_value" in info:
        recognition = {key: info[key] for key in ("min_points", "min_value") if key in info}
        recognition["all_mandatory"] = bool(info.get("all_mandatory", False))
        doc["recognition"] = recognition
    if elements:
        doc["elements"] = elements
    if rules:
        doc["validation"] = rules
    doc["tree"] = tree
    # The engine has the last word; its problems are placed on the row they came from.
    try:
        engine.framework_from_dict(doc, source=filename)
    except engine.EngineError as error:
        raise TableError(
            _in_file_order([_place(problem, reader.places) for problem in error.problems])
        ) from error
    return doc


def _in_file_order(issues: list[Issue]) -> list[Issue]:
    """Sheet by sheet (in the order first met), then by row and column."""
    sheets: dict[str | None, int] = {}
    for issue in issues:
        sheets.setdefault(issue.sheet, len(sheets))
    return sorted(
        issues,
        key=lambda issue: (
            sheets[issue.sheet],
            issue.row or 0,
            len(issue.column or ""),
            issue.column or "",
        ),
    )


def _place(problem: engine.Problem, places: Mapping[str, Issue]) -> Issue:
    place = places.get(problem.where or "")
    if problem.params.get("key") == "formula":
        place = places.get(f"{problem.where}#formula", place)
    message = problem_text(problem)
    if place is None:
        where = f"{problem.where}: " if problem.where else ""
        return Issue(f"{where}{message}")
    return Issue(message, place.sheet, place.row, place.column, place.code)


def dump_yaml(doc: Mapping[str, Any]) -> str:
    """The framework document as the YAML text chiso stores and hashes."""
    return engine.dump_framework(doc)


def workbook_to_yaml(data: bytes, filename: str = "criteria.xlsx") -> str:
    """A chiso-framework/1 YAML text from an Excel criteria table (see `workbook_to_dict`)."""
    return dump_yaml(workbook_to_dict(data, filename))
