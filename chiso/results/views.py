"""Results pages and downloads.

/results/                                    what is published (staff: also provisional)
/results/P/publish/                          an admin publishes a level of period P
/results/P/LEVEL/                            the rankings page (?version=N, ?provisional=1)
/results/P/LEVEL/ranking.csv|ranking.xlsx    `chiso score`'s columns, then name
/results/P/LEVEL/values.csv                  the figures scored (long form)
/results/P/LEVEL/framework.yaml              the exact framework file
/results/P/LEVEL/annex.pdf                   the annex of the Chairman's decision (A4)
/results/P/LEVEL/annex-signed.pdf            its copy signed in the e-office system
/results/P/LEVEL/annex/sign/                 an admin uploads that signed copy (POST)
/results/P/LEVEL/sensitivity/                the ranks' sensitivity to each pillar ("Độ nhạy")
/results/P/LEVEL/UNIT/                       a unit's report card (and UNIT/report.pdf);
                                             ?goal=value&target=0,8 plans to another goal

The public sees published snapshots only; staff (and, for its own report card, a
unit's officers) also see provisional results, marked so on screen and in files.
Anything else gives 404, like an id that does not exist.
"""

from __future__ import annotations

import html
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from chiso.accounts import access
from chiso.accounts.access import Perm
from chiso.assessments.models import Evidence, Period, Submission
from chiso.frameworks.display import (
    decimal_separator,
    figure_of,
    in_language,
    show_number,
    show_value,
    title_of,
)
from chiso.lib import numbers
from chiso.lib.safe_cells import table_csv, table_xlsx
from chiso.results import analysis, annex, cards, goals, pdf, read, services
from chiso.results.models import Snapshot
from chiso.units.models import Kind, Level, Unit

SCORE_COLUMNS = ("unit", "value", "points", "rank", "recognized")


def _level(level: str) -> str:
    if level not in Level.values:
        raise Http404("No such level.")
    return level


def _version(request: HttpRequest) -> int | None:
    """The version asked for (?version=N), None when none is asked; anything that is
    not a version number is 404, never silently the latest."""
    text = request.GET.get("version")
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise Http404("No such version.")
    return int(text)


def _ranking(
    request: HttpRequest,
    period: Period,
    level: str,
    *,
    unit: Any = None,
    values: bool = False,
    brief: bool = False,
    rows: bool = True,
) -> cards.Ranking:
    """The published results asked for; else, for those allowed, the provisional ones.

    With `unit` (a report card) only that unit's published row is read."""
    if request.GET.get("provisional") != "1":
        asked = _version(request)
        found = read.ranking(
            period,
            level,
            asked,
            with_values=values,
            brief=brief,
            unit=None if unit is None else unit.code,
            rows=rows,
        )
        if found is not None:
            return found
        if asked is not None:
            raise Http404("No such version.")
    allowed = (
        access.can(request.user, Perm.SEE_PROVISIONAL_CARD, unit)
        if unit is not None
        else access.can(request.user, Perm.SEE_PROVISIONAL)
    )
    if allowed:
        found = cards.provisional(period, level)
        if found is not None:
            return found
    raise Http404("No results.")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    current = list(
        Snapshot.objects.current().select_related("period").order_by("-period__year", "level")
    )
    provisional: list[tuple[Period, str]] = []
    published_levels = {(s.period_id, s.level) for s in current}
    staff = access.can(request.user, Perm.SEE_PROVISIONAL)
    periods = list(Period.objects.prefetch_related("frameworks")) if staff else []
    for period in periods:
        for link in period.frameworks.all():
            if (period.pk, link.level) not in published_levels:
                provisional.append((period, link.level))
    context = {
        "published": [(s, Level(s.level).label) for s in current],
        "provisional": [(p, level, Level(level).label) for p, level in provisional],
        "periods": periods if access.can(request.user, Perm.PUBLISH) else [],
    }
    return render(request, "results/index.html", context)


def _query(ranking: cards.Ranking) -> str:
    if ranking.provisional:
        return "?provisional=1"
    assert ranking.snapshot is not None
    latest = ranking.versions[0].version
    return "" if ranking.snapshot.version == latest else f"?version={ranking.snapshot.version}"


def _change(row: cards.Row, new: str) -> tuple[str, str]:
    """The change of rank as shown (`new` for a unit without a previous rank), and a
    sort key."""
    if row.previous_rank is None:
        return new, ""
    change = row.change or 0
    if change > 0:
        return f"▲ {change}", str(change)
    if change < 0:
        return f"▼ {-change}", str(change)
    return "=", "0"


def _ranking_context(ranking: cards.Ranking, level: str) -> dict[str, Any]:
    """What every page about one ranking shows in its head."""
    return {
        "period": ranking.period,
        "level": level,
        "level_name": Level(level).label,
        "ranking": ranking,
        "snapshot": ranking.snapshot,
    }


@require_safe
def ranking_page(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    _level(level)
    # A published version never changes: its rendered rows are kept, by version and
    # language, and the page then reads no row at all.
    ranking = _ranking(request, period, level, brief=True, rows=False)

    def rows() -> dict[str, Any]:
        full = ranking if ranking.provisional else _ranking(request, period, level, brief=True)
        return _ranking_rows(full, period, level)

    if ranking.snapshot is not None:
        shown_as = (get_language(), decimal_separator(), _query(ranking))
        shown = read.kept(ranking.snapshot.pk, f"ranking-page:{':'.join(shown_as)}", rows)
    else:
        shown = rows()
    context = {
        **_ranking_context(ranking, level),
        **shown,
        # Every text in it was escaped when the rows were rendered (`_table_body`).
        "body": mark_safe(shown["body"]),  # noqa: S308
        "query": _query(ranking),
        "can_publish": access.can(request.user, Perm.PUBLISH),
        "signed": None if ranking.snapshot is None else annex.signed_of(ranking.snapshot),
    }
    return render(request, "results/ranking.html", context)


def _ranking_rows(ranking: cards.Ranking, period: Period, level: str) -> dict[str, Any]:
    """What the rankings page shows of the rows: the table's body and what the filters,
    counts and notes read (plain data, kept in the cache for a published version)."""
    ranking.add_changes(analysis.previous_figures(ranking.snapshot or period, level)["units"])
    index = ranking.node_index()
    pillars = [(p.code, in_language(p.title), index[p.code]) for p in ranking.pillars]
    kinds = dict(Kind.choices)
    base = reverse("results:ranking", args=[period.pk, level])
    base_url = f"{base}%s/{_query(ranking)}"
    spread = _uncertainty(ranking)
    unit_kinds = sorted({row.kind for row in ranking.assessed})
    return {
        "pillars": pillars,
        "body": str(_table_body(ranking, pillars, base_url, kinds, spread)),
        "ranked": len(ranking.assessed),
        "not_assessed": [{"name": row.name, "code": row.code} for row in ranking.not_assessed],
        "districts": sorted({d for row in ranking.assessed for d in row.districts}),
        "kinds": [(kind, kinds.get(kind, kind)) for kind in unit_kinds],
        "recognized_count": sum(1 for row in ranking.assessed if row.recognized),
        "derived_changes": any(row.previous_derived for row in ranking.assessed),
        "compared_among": max((row.compared_among or 0 for row in ranking.assessed), default=0),
        "uncertainty": None if spread is None else {"runs": spread["runs"], "seed": spread["seed"]},
        "interval_chart": _interval_chart(ranking, spread),
        "interval_table": _interval_table(ranking, spread),
    }


# The interval chart shows the best-ranked units only: 3,321 bars would be unreadable.
CHART_UNITS = 60


def _uncertainty(ranking: cards.Ranking) -> dict[str, Any] | None:
    """The published ranking's Monte Carlo (none for a provisional one), by unit code."""
    if ranking.snapshot is None or not ranking.assessed:
        return None
    data = analysis.uncertainty_for_snapshot(ranking.snapshot)
    return {**data, "by_unit": {record["unit"]: record for record in data["units"]}}


def _chart_units(ranking: cards.Ranking, spread: dict[str, Any]) -> list[tuple[Any, Any]]:
    """The interval chart's units, best first: (row, its Monte Carlo record)."""
    rows = [row for row in ranking.assessed if row.code in spread["by_unit"]][:CHART_UNITS]
    return [(row, spread["by_unit"][row.code]) for row in rows]


def _interval_chart(ranking: cards.Ranking, spread: dict[str, Any] | None) -> dict[str, Any]:
    if spread is None:
        return {}
    units = _chart_units(ranking, spread)
    records = [record for _row, record in units]
    return {
        "names": [row.name for row, _record in units],
        "rank": [r["rank"] for r in records],
        "median": [r["median_rank"] for r in records],
        "p05": [r["p05"] for r in records],
        "p95": [r["p95"] for r in records],
        "labels": {"rank": _("Rank"), "median": _("Median rank"), "range": _("Rank interval")},
    }


def _interval_table(ranking: cards.Ranking, spread: dict[str, Any] | None) -> list[tuple]:
    """The chart's figures as text, for the table beside it: (name, rank, interval,
    median)."""
    if spread is None:
        return []
    sep = decimal_separator()
    return [
        (row.name, record["rank"], *_interval_texts(record, sep))
        for row, record in _chart_units(ranking, spread)
    ]


def _interval_texts(record: dict[str, Any], sep: str) -> tuple[str, str]:
    """A unit's 5th-95th percentile ranks ("3–7") and its median rank, as a page writes them."""
    low, high = show_number(record["p05"], 0, sep), show_number(record["p95"], 0, sep)
    return f"{low}–{high}", show_number(record["median_rank"], 1, sep)


def _interval_cell(record: dict[str, Any] | None, sep: str, median_word: str) -> str:
    """The "khoảng xếp hạng" cell: 5th-95th percentile ranks, and the median
    (`median_word`, translated and escaped once per page)."""
    if record is None:
        return '<td class="num interval extra" data-key="">—</td>'
    interval, median = _interval_texts(record, sep)
    return (
        f'<td class="num interval extra" data-key="{_key(record["median_rank"])}">'
        f'{interval} <small class="muted">({median_word} {median})</small></td>'
    )


def _chance_cell(record: dict[str, Any] | None, sep: str) -> str:
    chance = None if record is None else record["p_recognized"]
    shown = show_number(None if chance is None else 100 * chance, 0, sep)
    return f'<td class="num chance extra" data-key="{_key(chance)}">{shown}&nbsp;%</td>'


def _key(number: float | None) -> str:
    return "" if number is None else repr(number)


def _table_body(
    ranking: cards.Ranking,
    pillars: list[tuple[str, str, int]],
    url: str,
    kinds: dict[str, str],
    spread: dict[str, Any] | None = None,
) -> SafeString:
    """The rows of the rankings table as HTML, built here rather than in the template:
    3,321 rows of a dozen cells through the template engine take a second, this a
    tenth of it. Every text from the database is escaped (the standard library's
    `html.escape`, which writes what Django's `escape` does, without its lazy-text
    wrapper: thousands of calls); the words of the page are translated once;
    `data-key` carries what sorting compares."""
    yes, no = escape(_("Yes")), escape(_("No"))
    new = _("new")
    median_word = escape(_("median"))
    derived_word = escape(_("derived"))
    derived_title = escape(
        _("Derived from the units it was formed from (plain mean of their figures)")
    )
    kind_names = {kind: html.escape(name) for kind, name in kinds.items()}
    sep = decimal_separator()
    rule = ranking.framework.engine().recognition if ranking.has_recognition else None
    parts: list[str] = []
    for row in ranking.assessed:
        change, change_key = _change(row, new)
        recognized = "yes" if row.recognized else "no"
        name, kind_code = html.escape(row.name), html.escape(row.kind)
        cells = [
            f'<td class="num" data-key="{row.rank}">{row.rank}</td>',
            f'<td data-key="{name}"><a href="{html.escape(url % row.code)}">'
            f'{name}</a> <small class="muted">{kind_names.get(row.kind, kind_code)}</small></td>',
            f'<td class="num" data-key="{_key(row.value)}">{show_value(row.value, sep)}</td>',
            f'<td class="num extra" data-key="{_key(row.points)}">'
            f"{numbers.points(row.points, sep)}</td>",
        ]
        for _code, _title, i in pillars:
            rank = row.node_ranks[i]
            cells.append(
                f'<td class="num extra" data-key="{rank}">{show_value(row.node_values[i], sep)} '
                f'<small class="muted">#{rank}</small></td>'
            )
        if ranking.has_recognition:
            if row.recognized:
                shown = f'<span class="badge approved">{yes}</span>'
            else:
                why = html.escape(cards.why_not_recognized(row, rule))
                shown = f'{no} <small class="why-not">{why}</small>' if why else no
            cells.append(f'<td data-key="{int(bool(row.recognized))}">{shown}</td>')
        derived = (
            f' <small class="derived" title="{derived_title}">{derived_word}</small>'
            if row.previous_derived
            else ""
        )
        cells.append(
            f'<td class="num extra" data-key="{change_key}">{html.escape(change)}{derived}</td>'
        )
        percent = None if row.completeness is None else 100 * row.completeness
        shown_percent = show_number(percent, 0, sep)
        cells.append(
            f'<td class="num extra" data-key="{_key(row.completeness)}">{shown_percent}&nbsp;%</td>'
        )
        if spread is not None:
            # Last, so the columns of `chiso score` keep their places.
            record = spread["by_unit"].get(row.code)
            cells.append(_interval_cell(record, sep, median_word))
            if ranking.has_recognition:
                cells.append(_chance_cell(record, sep))
        districts = html.escape("|".join(row.districts))
        parts.append(
            f'<tr data-kind="{kind_code}" data-district="{districts}"'
            f' data-recognized="{recognized}">{"".join(cells)}</tr>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every inserted text is escaped above


@require_safe
def sensitivity_page(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    """ "Độ nhạy": how much each pillar's points move the published ranks (Sobol' indices).

    Seen by whoever sees the rankings page; computed for published results only, like
    the rank intervals (a provisional ranking says so)."""
    period = get_object_or_404(Period, pk=period_id)
    ranking = _ranking(request, period, _level(level), brief=True)
    found = None
    if ranking.snapshot is not None and ranking.assessed:
        found = analysis.sensitivity_for_snapshot(ranking.snapshot)
    rows, chart = [], {}
    if found is not None:
        rows = [
            {
                **p,
                "first_text": show_number(p["first_order"], 2),
                "total_text": show_number(p["total"], 2),
            }
            for p in found["pillars"]
        ]
        chart = {
            "pillars": [p["code"] for p in found["pillars"]],
            "titles": [p["title"] for p in found["pillars"]],
            "first": [p["first_order"] for p in found["pillars"]],
            "total": [p["total"] for p in found["pillars"]],
            "labels": {"first": _("First-order index S_i"), "total": _("Total index S_Ti")},
        }
    context = {
        **_ranking_context(ranking, level),
        "query": _query(ranking),
        "sensitivity": found,
        "rows": rows,
        "defined": any(r["first_order"] is not None for r in rows),
        "noise_percent": show_number(100 * found["points_noise"], 0) if found else "",
        "chart": chart,
    }
    return render(request, "results/sensitivity.html", context)


def _filename(ranking: cards.Ranking, name: str) -> str:
    stem = f"chiso-{ranking.period.year}-{ranking.level}"
    if ranking.provisional:
        stem += "-tam-tinh-provisional"
    elif ranking.snapshot is not None:
        stem += f"-v{ranking.snapshot.version}"
    return f"{stem}-{name}"


def _download(ranking: cards.Ranking, body: str | bytes, name: str, content_type: str) -> Any:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(ranking, name)}"'
    if ranking.provisional:
        response["X-Chiso-Provisional"] = "true"
    return response


def ranking_table(ranking: cards.Ranking) -> tuple[list[str], list[list[Any]]]:
    """`chiso score`'s columns and rows (assessed units, best first), then `name`, then
    what every rank is out of: `out_of` (N, the units ranked), each pillar's rank
    (`rank_CQS`, out of the same N) and `units` (M, the level's units, assessed or not:
    N < M in a partial ranking). A provisional ranking carries one more column,
    `provisional`, true on every row."""
    pillars = [(p.code, ranking.node_index()[p.code]) for p in ranking.pillars]
    header = [*SCORE_COLUMNS, *ranking.node_codes, "name", "out_of"]
    header += [f"rank_{code}" for code, _ in pillars] + ["units"]
    if ranking.provisional:
        header.append("provisional")
    ranked, units = ranking.ranked, ranking.units
    table = []
    for row in ranking.assessed:
        cells: list[Any] = [row.code, row.value, row.points, row.rank, row.recognized]
        cells += row.node_values
        cells += [row.name, ranked, *(row.node_ranks[i] for _, i in pillars), units]
        if ranking.provisional:
            cells.append(True)
        table.append(cells)
    return header, table


@require_safe
def ranking_csv(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    ranking = _ranking(request, period, _level(level))
    header, table = ranking_table(ranking)
    return _download(ranking, table_csv(header, table), "ranking.csv", "text/csv; charset=utf-8")


@require_safe
def ranking_xlsx(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    from django.utils import timezone

    period = get_object_or_404(Period, pk=period_id)
    ranking = _ranking(request, period, _level(level))
    header, table = ranking_table(ranking)
    # A published version's workbook is dated by its publication: the same bytes always.
    when = timezone.now() if ranking.snapshot is None else ranking.snapshot.published_at
    sheet = "ranking (provisional)" if ranking.provisional else "ranking"
    body = table_xlsx(header, table, sheet, when)
    return _download(
        ranking,
        body,
        "ranking.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_safe
def values_csv(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    ranking = _ranking(request, period, _level(level), values=True)
    return _download(ranking, ranking.values_csv, "values.csv", "text/csv; charset=utf-8")


@require_safe
def framework_yaml(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    ranking = _ranking(request, period, _level(level))
    return _download(
        ranking, ranking.framework.text, "framework.yaml", "application/yaml; charset=utf-8"
    )


def _unit(period: Period, level: str, code: str) -> Unit:
    unit = Unit.objects.on(period.reference_date).filter(level=level, code=code).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


def _report(
    request: HttpRequest, period_id: int, level: str, unit_code: str
) -> tuple[Period, Unit, cards.Card]:
    period = get_object_or_404(Period, pk=period_id)
    unit = _unit(period, _level(level), unit_code)
    ranking = _ranking(request, period, level, unit=unit)
    row = ranking.row(unit_code)
    if row is None:
        raise Http404("No such unit.")
    # Stored with the published row (`analysis.histories`); a provisional ranking's (or
    # one published before chiso stored it) worked out now, the same way.
    trend = row.history
    if trend is None:
        trend = analysis.histories(period, level, [(unit.pk, unit.code, row.lineage)])[unit.code]
        if row.assessed:
            version = None if ranking.snapshot is None else ranking.snapshot.version
            trend.append(analysis.own_point(period, level, version, row, ranking.ranked))
    report = cards.card(ranking, unit_code, trend)
    assert report is not None
    return period, unit, report


@require_safe
def report_pdf(request: HttpRequest, period_id: int, level: str, unit_code: str) -> HttpResponse:
    _period, _unit_, report = _report(request, period_id, level, unit_code)
    body = pdf.report_card_pdf(cards.report_card_of(report))
    return _download(report.ranking, body, f"{unit_code}-report.pdf", "application/pdf")


@require_safe
def annex_pdf(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    """A published version's stored annex (the same bytes every time); provisional
    results' annex drawn now."""
    period = get_object_or_404(Period, pk=period_id)
    ranking = _ranking(request, period, _level(level))
    if ranking.snapshot is not None:
        body = annex.annex_bytes(ranking.snapshot)
    else:
        body = pdf.annex_pdf(cards.annex_of(ranking))
    return _download(ranking, body, "annex.pdf", "application/pdf")


def _published(request: HttpRequest, period_id: int, level: str) -> Snapshot:
    """The published version asked for (?version=N, else the latest), or 404."""
    period = get_object_or_404(Period, pk=period_id)
    versions = Snapshot.objects.filter(period=period, level=_level(level)).defer("values_csv")
    asked = _version(request)
    if asked is not None:
        versions = versions.filter(version=asked)
    found = versions.select_related("period").order_by("-version").first()
    if found is None:
        raise Http404("No published results.")
    return found


@require_safe
def annex_signed_pdf(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    """The copy of the annex signed in the e-office system, as uploaded and checked."""
    snapshot = _published(request, period_id, level)
    body = annex.signed_bytes(snapshot)
    if body is None:
        raise Http404("No signed annex.")
    response = HttpResponse(body, content_type="application/pdf")
    name = f"chiso-{snapshot.period.year}-{level}-v{snapshot.version}-annex-signed.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["POST"])
def annex_sign(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    """An admin uploads the signed copy of a version's annex (checked by the service)."""
    if not access.can(request.user, Perm.PUBLISH):
        raise Http404("No such page.")
    snapshot = _published(request, period_id, level)
    upload = request.FILES.get("signed")
    target = reverse("results:ranking", args=[period_id, level])
    if _version(request) is not None:
        target += f"?version={snapshot.version}"
    if upload is None:
        messages.error(request, _("Choose the signed PDF file to upload."))
        return redirect(target)
    limit = settings.CHISO_MAX_UPLOAD_MB * 1024 * 1024
    data = upload.read(limit + 1)
    try:
        kept = annex.upload_signed(snapshot, data, request.user)
    except annex.AnnexError as error:
        messages.error(
            request, _("The signed annex was refused. %(reason)s") % {"reason": error.message}
        )
    else:
        messages.success(
            request, _("Signed annex stored: signed by %(signer)s.") % {"signer": kept.signer}
        )
    return redirect(target)


@require_safe
def report_card(request: HttpRequest, period_id: int, level: str, unit_code: str) -> HttpResponse:
    period, unit, report = _report(request, period_id, level, unit_code)
    ranking, row = report.ranking, report.row
    evidence: dict[str, list[Evidence]] = {}
    if access.can(request.user, Perm.VIEW, unit):
        files = Evidence.objects.filter(
            submission__period=period, submission__unit=unit, removed_at__isnull=True
        ).order_by("uploaded_at", "pk")
        for file in files:
            for code in file.codes:
                evidence.setdefault(code, []).append(file)
    parsed = ranking.framework.engine()
    indicators = [
        {
            "code": i.code,
            "title": i.title,
            "pillar": i.pillar,
            "value": figure_of(parsed, i.code, i.value),
            "score": show_number(None if i.score is None else 100 * i.score, 0),
            "points": numbers.points(i.points),
            "max_points": numbers.points(i.max_points),
            "left": numbers.points(i.left),
            "left_words": numbers.points_words(i.left),
            "mandatory": i.mandatory,
            "met": i.met,
            "applies": i.applies,
            "evidence": evidence.get(i.code, []),
        }
        for i in report.indicators
    ]
    by_code = {i["code"]: i for i in indicators}
    goal = goals.read_goal(request.GET, ranking.ranked, ranking.has_recognition)
    chart = {
        "pillars": [p["title"] for p in report.pillars],
        "series": [
            {"name": row.name, "values": [p["value"] for p in report.pillars]},
            {"name": _("Median of the level"), "values": [p["median"] for p in report.pillars]},
            {"name": _("Best of the level"), "values": [p["best"] for p in report.pillars]},
        ],
        "trend": {
            "periods": [str(t["year"]) for t in report.trend],
            "values": [t["value"] for t in report.trend],
            "name": _("Value"),
        },
    }
    context = {
        "period": period,
        "level": level,
        "level_name": Level(level).label,
        "unit": unit,
        "ranking": ranking,
        "snapshot": ranking.snapshot,
        "row": row,
        "report": report,
        "value": show_value(row.value),
        "points": numbers.points(row.points),
        "max_points": numbers.points(ranking.max_points),
        "unit_max": numbers.points(report.unit_max),
        "not_applicable": [by_code[i.code] for i in report.not_applicable],
        "ranked": ranking.ranked,
        "pillars": [
            {
                **p,
                "value_text": show_value(p["value"]),
                "median_text": show_value(p["median"]),
                "best_text": show_value(p["best"]),
            }
            for p in report.pillars
        ],
        "indicators": indicators,
        "fix_first": [by_code[i.code] for i in report.fix_first[: cards.FIX_FIRST]],
        "trend": [{**t, "value_text": show_value(t["value"])} for t in report.trend],
        "derived_trend": any(t.get("derived") for t in report.trend),
        "chart": chart,
        "query": _query(ranking),
        "shows_evidence": access.can(request.user, Perm.VIEW, unit),
        "goal": goal,
        "goal_target": show_number(goal.target, 4),
        "goal_kinds": _goal_kinds(ranking),
        "plan": _shown_plan(ranking, unit_code, goal) if row.assessed else None,
        # A unit's officer may read its provisional card, not the provisional ranking.
        "sees_ranking": not ranking.provisional or access.can(request.user, Perm.SEE_PROVISIONAL),
    }
    return render(request, "results/card.html", context)


PLAN_REASONS = {
    "no-recognition-rule": gettext_noop("The framework has no recognition rule."),
    "unreachable": gettext_noop("The goal cannot be reached by changing the indicators."),
    "no-points": gettext_noop("The framework has no points."),
    "bad-goal": gettext_noop("This goal cannot be planned."),
}


def _goal_kinds(ranking: cards.Ranking) -> list[tuple[str, str]]:
    """The goals the card's form offers (recognition only with a recognition rule)."""
    kinds = [("value", _("A value (0 to 1)")), ("rank", _("A rank"))]
    if ranking.has_recognition:
        kinds.insert(0, ("recognition", _("Meet the recognition rule")))
    return kinds


def _shown_plan(
    ranking: cards.Ranking, unit_code: str, goal: goals.GoalChoice
) -> dict[str, Any] | None:
    """The report card's "Lộ trình": the plan to the goal chosen (recognition by default),
    written for the page (its figures are `analysis.plan_for_ranking`'s, as the API
    gives them); None when there is nothing to plan (no goal, or a bad number)."""
    if goal.goal is None:
        return None
    found = analysis.plan_for_ranking(ranking, unit_code, goal.goal)
    reason = found.get("reason")
    parsed = ranking.framework.engine()
    return {
        **found,
        "reason_text": _(PLAN_REASONS.get(reason or "", PLAN_REASONS["unreachable"]))
        + (f" ({found['message']})" if found.get("message") else ""),
        "points_gained": numbers.points_words(sum(step["points"] or 0 for step in found["steps"])),
        "steps": [
            {
                **step,
                # The page's language, whatever the language the stored plan was made in.
                "title": title_of(parsed, step["code"], step["title"]),
                "from_text": figure_of(parsed, step["code"], step["from"]),
                "to_text": figure_of(parsed, step["code"], step["to"]),
                "points_words": numbers.points_words(step["points"]),
                "elements": [
                    {
                        **element,
                        "title": title_of(parsed, element["code"], element["title"]),
                        "from_text": figure_of(parsed, element["code"], element["from"]),
                        "to_text": figure_of(parsed, element["code"], element["to"]),
                    }
                    for element in step["elements"]
                ],
            }
            for step in found["steps"]
        ],
    }


@require_safe
def audit_page(request: HttpRequest, period_id: int, level: str) -> HttpResponse:
    """The statistical audit of a level's submitted figures (reviewers and admins)."""
    if not access.can(request.user, Perm.SEE_AUDIT):
        raise Http404("No such page.")
    period = get_object_or_404(Period, pk=period_id)
    audit = analysis.audit_for_period(period, _level(level))
    if audit is None:
        raise Http404("No such level.")
    flagged = {o["unit"] for o in audit["outliers"]}
    names = dict(Unit.objects.filter(code__in=flagged).values_list("code", "name"))
    # Each flag leads to the unit's review page, at the indicator.
    reviews = dict(
        Submission.objects.filter(
            period=period, unit__code__in=flagged, framework=period.framework_for(_level(level))
        ).values_list("unit__code", "pk")
    )
    percent = lambda x: show_number(None if x is None else 100 * x, 0)  # noqa: E731
    # The audit is cached with the titles of its first reader's language: each reader
    # gets the framework's titles in their own.
    parsed = period.framework_for(_level(level)).engine()
    context = {
        "period": period,
        "level": level,
        "level_name": Level(level).label,
        "audit": audit,
        "indicators": [
            {
                **i,
                "title": title_of(parsed, i["code"], i["title"]),
                "coverage_text": percent(i["coverage"]),
                "shown": [show_number(i[k]) for k in ("min", "q25", "median", "q75", "max")],
                "mean_text": show_number(i["mean"]),
            }
            for i in audit["indicators"]
        ],
        "outliers": [
            {
                **o,
                "title": title_of(parsed, o["code"], o["title"]),
                "name": names.get(o["unit"], o["unit"]),
                "value_text": show_number(o["value"]),
                "reference_text": show_number(o["reference"]),
                "z_text": show_number(o["z"], 1),
                "method_text": analysis.outlier_method(o),
                "review_url": (
                    reverse("review-detail", args=[reviews[o["unit"]]]) + f"#i-{o['code']}"
                    if o["unit"] in reviews
                    else ""
                ),
            }
            for o in audit["outliers"]
        ],
        "correlations": [
            {
                **c,
                "pearson_text": show_number(c["pearson"]),
                "spearman_text": show_number(c["spearman"]),
            }
            for c in audit["correlations"][:30]
        ],
        "pillar_correlations": [
            {
                **c,
                "pillar_title": title_of(parsed, c["pillar"]),
                "pearson_text": show_number(c["pearson"]),
                "spearman_text": show_number(c["spearman"]),
            }
            for c in audit["pillar_correlations"]
        ],
    }
    return render(request, "results/audit.html", context)


@require_http_methods(["GET", "POST"])
def publish_page(request: HttpRequest, period_id: int) -> HttpResponse:
    """The period's publication: per level, who is not approved, and the publish button."""
    if not access.can(request.user, Perm.PUBLISH):
        raise Http404("No such page.")
    period = get_object_or_404(Period, pk=period_id)
    levels = list(period.frameworks.order_by("level").values_list("level", flat=True))
    errors: dict[str, str] = {}
    asking: dict[str, Any] = {}
    if request.method == "POST":
        level = request.POST.get("level", "")
        if level not in levels:
            raise Http404("No such level.")
        seen = services.check(period, level)
        if seen.not_approved and request.POST.get("without") != "1":
            errors[level] = _(
                "Some units are not approved: tick the box to publish without them, or wait."
            )
        elif request.POST.get("confirmed") != "1":
            # Asked once, in the page, with what was chosen kept for the confirmation.
            asking = {
                "level": level,
                "without": request.POST.get("without", ""),
                "reason": request.POST.get("reason", ""),
            }
        else:
            try:
                snapshot = services.publish(
                    period, level, request.user, reason=request.POST.get("reason", "")
                )
            except services.PublishError as error:
                errors[level] = str(error)
            else:
                messages.success(
                    request,
                    _("Published: %(level)s, version %(version)s.")
                    % {"level": Level(level).label, "version": snapshot.version},
                )
                return redirect("results:ranking", period.pk, level)
    checks = []
    for level in levels:
        seen = services.check(period, level)
        checks.append(
            {
                "level": level,
                "level_name": Level(level).label,
                "check": seen,
                "shown": seen.not_approved[:100],
                "more": max(0, len(seen.not_approved) - 100),
                "error": errors.get(level, ""),
                "reasons": "; ".join(dict.fromkeys(seen.reopen_reasons)),
                "asking": asking if asking.get("level") == level else None,
            }
        )
    status = 400 if errors else 200
    return render(
        request, "results/publish.html", {"period": period, "checks": checks}, status=status
    )
