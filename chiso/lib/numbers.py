"""How pages write numbers: the one module, so the same score reads the same everywhere.

Pages write numbers the Vietnamese way (0,7314; 57,75) through the active locale's
decimal separator, never group thousands (a figure copied back into a field reads
the same), and write a missing number as "—". Files and the API keep plain decimals.

- `points`: points earned or possible: a whole number as it is (60), any other with
  exactly 2 decimals (57,75; 95,30), so a column of totals lines up;
- `figure`: a figure entered or computed (a count, a share), at most 4 decimals;
- `index`: a 0..1 value the DTI way, always 4 decimals (0,7314).
"""

from __future__ import annotations

import math

from django.utils.formats import get_format

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


def figure(value: float | None, separator: str | None = None) -> str:
    return number(value, 4, separator)


def index(value: float | None, separator: str | None = None) -> str:
    """A 0..1 value with four decimals (0,7314)."""
    if missing(value):
        return MISSING
    return _decimal(f"{float(value):.4f}", separator)  # type: ignore[arg-type]


def signed(text: str, value: float | None) -> str:
    """A difference written with its sign (+3, -10)."""
    return "+" + text if not missing(value) and value > 0 else text  # type: ignore[operator]
