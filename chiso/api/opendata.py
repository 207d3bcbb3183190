"""Open data: each published (period, level) is a dataset of files with their checksums.

    ranking.csv ranking.xlsx ranking.json   the ranking (`chiso score`'s columns, then name)
    values.csv                              the figures scored (unit,code,value)
    framework.yaml                          the framework file that scored them
    methodology.vi.md methodology.en.md     a note generated from the framework
    LICENSE.txt                             CC BY 4.0
    annex.pdf                               the annex of the decision, as stored at publication
    annex-signed.pdf                        its copy signed in the e-office system, once uploaded
    SHA256SUMS                              `sha256sum -c` checks every file above

The files are made from the latest published snapshot, which never changes, so they
are the same bytes on every request (the XLSX too: its zip carries the publication
time, not the time it was made) and cached by snapshot. `chiso verify` checks a
downloaded folder (or the dataset's URL) against SHA256SUMS and recomputes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from chiso import engine
from chiso.lib.numbers import plain
from chiso.lib.safe_cells import table_csv, table_xlsx
from chiso.results import annex, cards, read
from chiso.results.models import Snapshot
from chiso.results.views import ranking_table
from chiso.units.models import Level

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
CSV = "text/csv"
MEDIA_TYPES = {
    "ranking.csv": CSV,
    "ranking.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ranking.json": "application/json",
    "values.csv": CSV,
    "framework.yaml": "application/yaml",
    "methodology.vi.md": "text/markdown",
    "methodology.en.md": "text/markdown",
    "LICENSE.txt": "text/plain",
    "annex.pdf": "application/pdf",
    "annex-signed.pdf": "application/pdf",
    "SHA256SUMS": "text/plain",
}
TITLES = {
    "ranking.csv": ("Xếp hạng (CSV)", "Ranking (CSV)"),
    "ranking.xlsx": ("Xếp hạng (Excel)", "Ranking (Excel)"),
    "ranking.json": ("Xếp hạng (JSON)", "Ranking (JSON)"),
    "values.csv": ("Số liệu đã chấm (CSV dạng dài)", "Scored values (long CSV)"),
    "framework.yaml": ("Bộ tiêu chí (YAML)", "Framework (YAML)"),
    "methodology.vi.md": ("Ghi chú phương pháp (tiếng Việt)", "Methodology note (Vietnamese)"),
    "methodology.en.md": ("Ghi chú phương pháp (tiếng Anh)", "Methodology note (English)"),
    "LICENSE.txt": ("Giấy phép CC BY 4.0", "Licence CC BY 4.0"),
    "annex.pdf": ("Phụ lục quyết định (PDF)", "Annex of the decision (PDF)"),
    "annex-signed.pdf": (
        "Phụ lục quyết định đã ký số (PDF)",
        "Annex of the decision, digitally signed (PDF)",
    ),
    "SHA256SUMS": ("Mã kiểm tra SHA-256", "SHA-256 checksums"),
}
LEVEL_NAMES = {
    Level.PROVINCE: ("cấp tỉnh", "provinces"),
    Level.DISTRICT: ("cấp huyện", "districts"),
    Level.COMMUNE: ("cấp xã", "communes"),
    Level.DEPARTMENT: ("sở, ban, ngành", "provincial departments"),
}
PUBLISHER = {
    "vi": "Ủy ban nhân dân tỉnh Thanh Hóa",
    "en": "Thanh Hóa Provincial People's Committee",
}


@dataclass
class Dataset:
    """A published (period, level): its latest version at /data/P/LEVEL/, or with
    `versioned` one version of its own at /data/P/LEVEL/vN/ (a corrected ranking's
    earlier versions stay downloadable and verifiable from their URL)."""

    snapshot: Snapshot
    first: Snapshot  # version 1: when the dataset was first issued
    versioned: bool = False

    @property
    def slug(self) -> str:
        slug = f"{self.snapshot.period_id}/{self.snapshot.level}"
        return f"{slug}/v{self.snapshot.version}" if self.versioned else slug

    @property
    def identifier(self) -> str:
        s = self.snapshot
        found = f"chiso-{s.period.year}-{s.level}-{s.period_id}"
        return f"{found}-v{s.version}" if self.versioned else found

    def uri(self) -> str:
        return f"{settings.CHISO_SITE_URL}/data/{self.slug}/"

    def title(self, lang: str) -> str:
        vi, en = LEVEL_NAMES[self.snapshot.level]
        if lang == "vi":
            return f"Kết quả đánh giá chuyển đổi số {vi}, {self.snapshot.period.name}"
        return f"Digital transformation assessment of {en}, {self.snapshot.period.year}"

    def description(self, lang: str) -> str:
        s = self.snapshot
        if lang == "vi":
            return (
                f"Xếp hạng, điểm và số liệu đã chấm của {LEVEL_NAMES[s.level][0]} tỉnh Thanh Hóa,"
                f" kỳ {s.period.name}, phiên bản công bố {s.version}, chấm theo bộ tiêu chí "
                f"{s.framework_code} phiên bản {s.framework_version}."
            )
        return (
            f"Ranking, points and scored values of the {LEVEL_NAMES[s.level][1]} of Thanh Hóa"
            f" province, period {s.period.year}, published version {s.version}, scored with"
            f" framework {s.framework_code} version {s.framework_version}."
        )


def datasets() -> list[Dataset]:
    """Every published (period, level), its latest version."""
    current = list(
        Snapshot.objects.current()
        .defer("values_csv")
        .select_related("period", "framework")
        .order_by("-period__year", "period_id", "level")
    )
    firsts = {
        (s.period_id, s.level): s for s in Snapshot.objects.filter(version=1).defer("values_csv")
    }
    return [Dataset(s, firsts.get((s.period_id, s.level), s)) for s in current]


def dataset(period_id: int, level: str, version: int | None = None) -> Dataset | None:
    """The dataset of a published (period, level); with `version`, that version's own."""
    if version is not None:
        found = versions(period_id, level)
        return next((d for d in found if d.snapshot.version == version), None)
    return next(
        (d for d in datasets() if d.snapshot.period_id == period_id and d.snapshot.level == level),
        None,
    )


def versions(period_id: int, level: str) -> list[Dataset]:
    """Every published version of a (period, level) as a dataset of its own, oldest first."""
    found = list(
        Snapshot.objects.filter(period_id=period_id, level=level)
        .defer("values_csv")
        .select_related("period", "framework")
        .order_by("version")
    )
    return [Dataset(s, found[0], versioned=True) for s in found]


# --- the files ----------------------------------------------------------------------


def _csv(header: list[str], table: list[list[Any]]) -> bytes:
    return table_csv(header, table).encode("utf-8")


def _json_ranking(ds: Dataset, ranking: cards.Ranking) -> bytes:
    s = ds.snapshot
    render = cards.api_row_renderer(ranking)
    data = {
        "dataset": ds.identifier,
        "period": {"id": s.period_id, "year": s.period.year, "name": s.period.name},
        "level": s.level,
        "version": s.version,
        "published_at": s.published_at.isoformat(),
        "framework": {
            "code": s.framework_code,
            "version": s.framework_version,
            "sha256": s.framework_sha256,
        },
        "max_points": s.max_points,
        "licence": LICENSE_URL,
        "units": [render(row) for row in ranking.rows],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode()


def files(ds: Dataset) -> dict[str, bytes]:
    """The dataset's files by name, SHA256SUMS last (kept by snapshot and signed copy:
    they never change, and the signed copy is added once)."""
    signed = annex.signed_of(ds.snapshot)
    part = f"opendata:{ds.first.pk}:{ds.versioned}:{signed.sha256 if signed else ''}"

    def make() -> dict[str, bytes]:
        s = ds.snapshot
        ranking = read.ranking(s.period, s.level, s.version, with_values=True)
        assert ranking is not None
        header, table = ranking_table(ranking)
        parsed = s.framework.engine()
        made = {
            "ranking.csv": _csv(header, table),
            "ranking.xlsx": table_xlsx(header, table, "ranking", s.published_at),
            "ranking.json": _json_ranking(ds, ranking),
            "values.csv": ranking.values_csv.encode("utf-8"),
            "framework.yaml": s.framework.text.encode("utf-8"),
            "methodology.vi.md": methodology(ds, parsed, "vi").encode("utf-8"),
            "methodology.en.md": methodology(ds, parsed, "en").encode("utf-8"),
            "LICENSE.txt": licence(ds).encode("utf-8"),
            "annex.pdf": annex.annex_bytes(s),
        }
        if signed is not None:
            made["annex-signed.pdf"] = annex.signed_bytes(s) or b""
        made["SHA256SUMS"] = "".join(
            f"{hashlib.sha256(body).hexdigest()}  {name}\n" for name, body in made.items()
        ).encode("ascii")
        return made

    return read.kept(ds.snapshot.pk, part, make)


def licence(ds: Dataset) -> str:
    return (
        f"{ds.title('vi')}\n{ds.title('en')}\n\n"
        f"© {PUBLISHER['vi']} / {PUBLISHER['en']}, {ds.snapshot.period.year}.\n\n"
        "Dữ liệu được cấp phép theo Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0):\n"
        "được sao chép, phân phối, chỉnh sửa và dùng cho mọi mục đích, kể cả thương mại,\n"
        "với điều kiện ghi rõ nguồn.\n\n"
        "The data is licensed under Creative Commons Attribution 4.0 International\n"
        "(CC BY 4.0): you may copy, redistribute, adapt and use it for any purpose, even\n"
        "commercially, provided you give appropriate credit.\n\n"
        f"{LICENSE_URL}\n"
        f"Nguồn / Source: {ds.uri()}\n"
    )


# --- the methodology note -----------------------------------------------------------

WORDS = {
    "vi": {
        "title": "Ghi chú phương pháp",
        "framework": "Bộ tiêu chí",
        "version": "phiên bản",
        "file": "Tệp bộ tiêu chí",
        "max": "Tổng điểm tối đa",
        "tree": "Cây tiêu chí và điểm",
        "points": "điểm",
        "mandatory": "bắt buộc",
        "formula": "công thức",
        "rules": "Quy tắc chấm điểm",
        "missing": "Số liệu thiếu",
        "missing_zero": "chỉ tiêu không có số liệu được 0 điểm",
        "missing_other": "chỉ tiêu không có số liệu: ",
        "missing_exclude": (
            "chỉ tiêu không có số liệu được loại khỏi điểm tối đa của đơn vị (như chỉ tiêu "
            "không áp dụng)"
        ),
        "may_not_apply": "có thể không áp dụng",
        "not_applicable": (
            "chỉ tiêu không áp dụng cho một đơn vị được loại khỏi điểm tối đa của đơn vị đó; "
            "điểm của đơn vị = giá trị × điểm tối đa của bộ tiêu chí"
        ),
        "recognition": "Quy tắc công nhận",
        "no_recognition": "Bộ tiêu chí không có quy tắc công nhận.",
        "min_points": "đạt ít nhất {n} điểm",
        "min_value": "đạt chỉ số ít nhất {n}",
        "all_mandatory": "đạt mọi chỉ tiêu bắt buộc",
        "reconstructed": "Chỉ tiêu tái dựng",
        "reconstructed_intro": (
            "Các chỉ tiêu sau không tìm thấy trong nguồn công khai và được tái dựng; "
            "xem mô tả của từng chỉ tiêu trong tệp bộ tiêu chí:"
        ),
        "none_reconstructed": "Không có chỉ tiêu tái dựng.",
        "value": (
            "Chỉ số của đơn vị = tổng điểm đạt được / tổng điểm tối đa (0..1). Xếp hạng: "
            "chỉ số cao hơn xếp trên; bằng nhau (chênh dưới một phần tỷ, 0,000000001) cùng hạng."
        ),
        "recompute": "Tính lại: `chiso verify <thư mục hoặc URL của bộ dữ liệu>`.",
    },
    "en": {
        "title": "Methodology note",
        "framework": "Framework",
        "version": "version",
        "file": "Framework file",
        "max": "Maximum points",
        "tree": "Criteria tree and points",
        "points": "points",
        "mandatory": "mandatory",
        "formula": "formula",
        "rules": "Scoring rules",
        "missing": "Missing figures",
        "missing_zero": "an indicator without a figure scores 0",
        "missing_other": "an indicator without a figure: ",
        "missing_exclude": (
            "an indicator without a figure leaves the unit's maxima (as one that does not apply)"
        ),
        "may_not_apply": "may not apply",
        "not_applicable": (
            "an indicator that does not apply to a unit leaves that unit's maxima; the unit's "
            "points are its value × the framework's maximum"
        ),
        "recognition": "Recognition rule",
        "no_recognition": "The framework has no recognition rule.",
        "min_points": "at least {n} points",
        "min_value": "a value of at least {n}",
        "all_mandatory": "every mandatory indicator met",
        "reconstructed": "Reconstructed indicators",
        "reconstructed_intro": (
            "These indicators were not found in public sources and are reconstructed; "
            "each one's description in the framework file says how:"
        ),
        "none_reconstructed": "No indicator is reconstructed.",
        "value": (
            "A unit's value = points earned / maximum points (0..1). Ranking: a higher value "
            "ranks higher; equal values (within 1e-9) share a rank."
        ),
        "recompute": "Recompute: `chiso verify <the dataset's folder or URL>`.",
    },
}


def _number(value: float | None, lang: str = "en") -> str:
    """A number of the framework as its note's language writes it: 0,5 in Vietnamese."""
    text = plain(value)
    return text.replace(".", ",") if lang == "vi" else text


def rule_text(node: engine.Node, lang: str) -> str:
    """An indicator's scoring rule in words, from its score block."""
    rule = node.score
    if rule is None:
        return ""
    vi = lang == "vi"
    if rule.method == "boolean":
        return "có: đủ điểm, không: 0" if vi else "yes: full points, no: 0"
    if rule.method == "linear":
        zero, full = _number(rule.zero, lang), _number(rule.full, lang)
        return (
            f"tuyến tính từ {zero} (0 điểm) đến {full} (đủ điểm)"
            if vi
            else f"linear from {zero} (0) to {full} (full points)"
        )
    if rule.method == "threshold":
        if rule.at_least is not None:
            return (
                f"đủ điểm khi ≥ {_number(rule.at_least, lang)}"
                if vi
                else f"full points when ≥ {_number(rule.at_least, lang)}"
            )
        return (
            f"đủ điểm khi ≤ {_number(rule.at_most, lang)}"
            if vi
            else f"full points when ≤ {_number(rule.at_most, lang)}"
        )
    if rule.method == "steps":
        steps = ", ".join(
            f"≥ {_number(at, lang)}: {_number(share, lang)}" for at, share in rule.steps
        )
        return ("theo bậc: " if vi else "steps: ") + steps
    if rule.method == "relative" and rule.better == "lower":
        return "so với đơn vị thấp nhất (càng thấp càng tốt)" if vi else "relative, lower is better"
    if rule.method == "relative":
        return "so với đơn vị cao nhất" if vi else "relative to the best unit's figure"
    return str(rule.method)


def methodology(ds: Dataset, parsed: engine.Framework, lang: str) -> str:
    w = WORDS[lang]
    s = ds.snapshot
    title = parsed.title.get(lang) or parsed.title.get("vi", "")
    lines = [
        f"# {w['title']}: {ds.title(lang)}",
        "",
        f"- {w['framework']}: {title} (`{s.framework_code}`, {w['version']} {s.framework_version})",
        f"- {w['file']}: framework.yaml, SHA-256 `{s.framework_sha256}`",
        f"- {w['max']}: {_number(parsed.max_points, lang)}",
        "",
        w["value"],
        "",
        f"## {w['tree']}",
        "",
    ]

    def walk(node: engine.Node) -> None:
        name = node.title.get(lang) or node.title.get("vi", "")
        indent = "  " * node.depth
        if node.is_leaf:
            bits = [f"{_number(node.points, lang)} {w['points']}"]
            if node.mandatory:
                bits.append(w["mandatory"])
            if node.may_not_apply:
                bits.append(w["may_not_apply"])
            if node.formula:
                bits.append(f"{w['formula']} `{node.formula}`")
            bits.append(rule_text(node, lang))
            lines.append(f"{indent}- **{node.code}** {name}: " + "; ".join(b for b in bits if b))
        else:
            lines.append(
                f"{indent}- **{node.code}** {name} ({_number(node.max_points, lang)} {w['points']})"
            )
            for child in node.children:
                walk(child)

    for root in parsed.tree:
        walk(root)
    lines += ["", f"## {w['rules']}", ""]
    missing = w["missing_zero"] if parsed.missing == "zero" else w["missing_exclude"]
    lines.append(f"- {w['missing']}: {missing}.")
    if any(leaf.may_not_apply for leaf in parsed.leaves):
        lines.append(f"- {w['not_applicable']}.")
    for leaf in parsed.leaves:
        lines.append(f"- {leaf.code}: {rule_text(leaf, lang)}")
    lines += ["", f"## {w['recognition']}", ""]
    rec = parsed.recognition
    if rec is None:
        lines.append(w["no_recognition"])
    else:
        parts = []
        if rec.min_points is not None:
            parts.append(w["min_points"].format(n=_number(rec.min_points, lang)))
        if rec.min_value is not None:
            parts.append(w["min_value"].format(n=_number(rec.min_value, lang)))
        if rec.all_mandatory:
            parts.append(w["all_mandatory"])
        lines.append("; ".join(parts) + ".")
    lines += ["", f"## {w['reconstructed']}", ""]
    rebuilt = [n for n in parsed.nodes if n.extra.get("reconstructed")]
    if rebuilt:
        lines.append(w["reconstructed_intro"])
        lines.append("")
        for node in rebuilt:
            lines.append(f"- {node.code} {node.title.get(lang) or node.title.get('vi', '')}")
    else:
        lines.append(w["none_reconstructed"])
    lines += ["", w["recompute"], ""]
    return "\n".join(lines)
