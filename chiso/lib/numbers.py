"""How pages write numbers: the one module, so the same score reads the same everywhere.

Pages write numbers the Vietnamese way (0,7314; 57,75) through the active locale's
decimal separator, never group thousands (a figure copied back into a field reads
the same), and write a missing number as "—". Files and the API keep plain decimals.

- `points`: points earned or possible: a whole number as it is (60), any other with
  exactly 2 decimals (57,75; 95,30), so a column of totals lines up; `points_words`
  writes them with their word ("1 point", "57,75 points"; "1 điểm");
- `figure`: a figure entered or computed (a count, a share), at most 4 decimals;
- `index`: a 0..1 value the DTI way, always 4 decimals (0,7314);
- `percent`: a 0..1 share as a percentage, at most 1 decimal (3,6 %).
"""

from __future__ import annotations

import math

from django.utils.formats import get_format
from django.utils.translation import ngettext

MISSING = "—"


def missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def decimal_separator() -> str:
    """The active language's. A page writing thousands of numbers looks it up once and
    passes it on: looking it up costs more than the formatting itself."""
    return str(get_format("DECIMAL_SEPARATOR"))


def _decimal(text: str, separator: str | None = None) -> str:
    return text.replace(".", separator or decimal_separator())


def number(value: float | None, places: int = 2, separator: str | None = None) -> str:
    """At most `places` decimals, trailing zeros dropped; "—" when missing."""
    if missing(value):
        return MISSING
    text = f"{float(value):.{places}f}"  # type: ignore[arg-type]
    if "." in text:  # only decimals' zeros go: 100 stays 100
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return _decimal(text, separator)


def points(value: float | None, separator: str | None = None) -> str:
    if missing(value):
        return MISSING
    rounded = round(float(value), 2)  # type: ignore[arg-type]
    if rounded == int(rounded):
        return number(rounded, 0, separator)
    return _decimal(f"{rounded:.2f}", separator)


def points_words(value: float | None, separator: str | None = None) -> str:
    """Points with their word in the page's language: "1 point", "0,5 points", "60 points"."""
    text = points(value, separator)
    # English says "1 point" for exactly one, "points" for any other number, fractions too.
    count = 1 if text.lstrip("-") == "1" else 2  # "-1 point" too (a difference)
    return ngettext("%(points)s point", "%(points)s points", count) % {"points": text}


def figure(value: float | None, separator: str | None = None) -> str:
    return number(value, 4, separator)


def index(value: float | None, separator: str | None = None) -> str:
    """A 0..1 value with four decimals (0,7314)."""
    if missing(value):
        return MISSING
    return _decimal(f"{float(value):.4f}", separator)  # type: ignore[arg-type]


def percent(value: float | None, separator: str | None = None) -> str:
    """A 0..1 share as a percentage with at most one decimal (3,6 %)."""
    if missing(value):
        return MISSING
    return number(100 * float(value), 1, separator) + "\u00a0%"  # type: ignore[arg-type]


def signed(text: str, value: float | None) -> str:
    """A difference written with its sign (+3, -10)."""
    return "+" + text if not missing(value) and value > 0 else text  # type: ignore[operator]


def plain(value: float | int | None) -> str:
    """A number the way files, the API and the audit trail carry it: 10, 0.25, -5; ""
    for no figure. (Pages write numbers with `number`, `points`, `figure`, `index`.)"""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return format(number, ".10g")


def exact(value: float) -> str:
    """A float as plain text that reads back as the very same float ("1240", "98.7"):
    what a published snapshot keeps of each figure."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
