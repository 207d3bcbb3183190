"""The Jinja2 environment of the pages whose long lists Django's template language
renders too slowly (the entry page of 100 indicators: 40 ms in DTL, a few in Jinja2).

Templates live in `<app>/jinja2/` and read like the DTL ones: `{{ _("Text") }}` is
Django's gettext (so `make messages` collects it from the .html file as it does from DTL),
every printed value is escaped and localized the DTL way (0,7314; 23/11/2026), and
`|date("SHORT_DATE_FORMAT")`, `|linebreaksbr`, `|filesizeformat` are Django's filters.

A long list whose layout stays while its figures change is a `Skeleton`: its template is
rendered once (per framework version and language, say) with holes, `{{ hole("earned",
code) }}`, and each request only fills the holes (`Skeleton.fill`).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template import defaultfilters, engines
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeData, SafeString, mark_safe
from jinja2 import Environment
from markupsafe import Markup


def localized(value: Any) -> Any:
    """What DTL prints for a value: aware datetimes in local time, numbers and dates the
    active language's way."""
    if isinstance(value, str):  # most of a page: nothing to do
        return value
    # A whole number is printed as it is unless thousands are grouped (Django's
    # localize would say the same, a hundred times slower: a page prints 400).
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.localize(value)


# The letters of Django's date formats that chiso's formats use (chiso/formats/), each
# written as Django's DateFormat writes it, as a str.format field of the date ({0}) and
# the month's short name ({1}). Django's DateFormat takes 40 µs a date; the entry page
# writes 200 (a comment's time, a file's day).
_LETTERS: dict[str, str] = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "M": "{1}",  # translated when written
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


@lru_cache(maxsize=32)
def _date_template(format_: str) -> tuple[str, bool] | None:
    """A date format as a str.format template of _LETTERS, and whether it names the
    month; None when it has another letter or an escape, which Django's DateFormat
    then writes."""
    fields: list[str] = []
    for char in format_:
        if char in _LETTERS:
            fields.append(_LETTERS[char])
        elif char.isalpha() or char == "\\":
            return None
        else:
            fields.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(fields), "M" in format_


def date(value: Any, format_name: str = "DATE_FORMAT") -> str:
    """Django's `date` filter with a named format (SHORT_DATE_FORMAT...)."""
    if value is None or value == "":
        return ""
    format_ = formats.get_format(format_name)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(timezone.get_current_timezone())
        compiled = _date_template(format_)
        if compiled is not None:
            template, names_month = compiled
            month = str(MONTHS_3[value.month]).title() if names_month else ""
            return template.format(value, month)
    return dateformat.format(value, format_)


def linebreaksbr(text: Any) -> SafeString:
    """Django's `linebreaksbr` filter, escaping: a plain text's lines joined by <br>
    without the filter's lazy-text wrappers (a page writes a hundred comments)."""
    if not isinstance(text, str) or isinstance(text, SafeData):
        return defaultfilters.linebreaksbr(text, autoescape=True)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return mark_safe(html.escape(text).replace("\n", "<br>"))  # noqa: S308  (escaped)


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def url_of_pk(name: str) -> Callable[[int], str]:
    """`url_of_pk("evidence_file")(7)` is reverse("evidence_file", args=[7]), reversed
    once for a page's hundred links rather than once a link."""
    sentinel = 918273645
    head, _, tail = reverse(name, args=[sentinel]).partition(str(sentinel))
    return lambda pk: f"{head}{int(pk)}{tail}"


def page_gettext() -> Callable[[str], str]:
    """Django's gettext, each message looked up once a page (a hundred "points")."""
    seen: dict[str, str] = {}

    def gettext(message: str) -> str:
        if message not in seen:
            seen[message] = translation.gettext(message)
        return seen[message]

    return gettext


def render_jinja(name: str, context: dict[str, Any], request: HttpRequest) -> SafeString:
    """A Jinja2 template's HTML, to place in a DTL page as it is (already escaped)."""
    # One masked CSRF token for the page's forms, as DTL's {% csrf_token %} gives (the
    # backend's csrf_input masks a new one each time it is printed).
    context = {**context, "csrf_field": csrf_input(request), "gettext": page_gettext()}
    html = engines["jinja2"].get_template(name).render(context, request)
    return mark_safe(html)  # noqa: S308  (autoescaped by the environment below)


# A hole is its kind and key between NUL characters, which no rendered text holds (the
# engine refuses control characters in a framework's text; translations have none).
_HOLE, _KEY = "\x00", "\x01"


def hole(kind: str, key: str = "") -> Markup:
    """Where a skeleton's request fills in `kind` for `key` (a code, or nothing)."""
    return Markup(f"{_HOLE}{kind}{_KEY}{key}{_HOLE}")  # noqa: S704  (codes: no markup)


@dataclass(frozen=True, slots=True)
class Skeleton:
    """A template's HTML with holes: `texts` around `holes` (kind, key), one more text
    than holes."""

    texts: tuple[str, ...]
    holes: tuple[tuple[str, str], ...]

    def fill(self, values: Mapping[str, Mapping[str, str]]) -> SafeString:
        """The HTML with each hole given values[kind][key], HTML already escaped (Markup
        or a macro's output), or nothing when the key is not there. Every kind of hole
        must be in `values` (a KeyError says which is missing)."""
        texts = self.texts
        parts = [texts[0]]
        append = parts.append
        for index, (kind, key) in enumerate(self.holes, 1):
            append(values[kind].get(key, ""))
            append(texts[index])
        return mark_safe("".join(parts))  # noqa: S308  (escaped pieces, see above)


def skeleton(name: str, context: dict[str, Any]) -> Skeleton:
    """A Jinja2 template rendered with `hole` among its names, split at its holes."""
    html = (
        engines["jinja2"]
        .get_template(name)
        .render({**context, "hole": hole, "gettext": page_gettext()})
    )
    pieces = html.split(_HOLE)
    if len(pieces) % 2 == 0:
        raise ValueError(f"{name}: a NUL character outside a hole")
    holes = []
    for piece in pieces[1::2]:
        kind, key_mark, key = piece.partition(_KEY)
        if not key_mark or _KEY in key:
            raise ValueError(f"{name}: a NUL character outside a hole: {piece[:40]!r}")
        holes.append((kind, key))
    return Skeleton(texts=tuple(pieces[0::2]), holes=tuple(holes))


def macros(name: str) -> Any:
    """A Jinja2 template's macros, to call from Python (`macros(...).comment_card(c)`):
    each returns its HTML, escaped."""
    return engines["jinja2"].env.get_template(name).module


def environment(**options: Any) -> Environment:
    options.setdefault("autoescape", True)
    env = Environment(  # noqa: S701  (autoescape is on: the line above)
        extensions=["jinja2.ext.i18n"], finalize=localized, **options
    )
    # Old-style callables: `_()` returns a plain string, escaped like DTL's {% translate %}.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=False
    )
    env.filters.update(
        date=date,
        linebreaksbr=linebreaksbr,
        filesizeformat=defaultfilters.filesizeformat,
    )
    env.globals["url"] = url
    return env
