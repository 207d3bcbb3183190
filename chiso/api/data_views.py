"""/data/: the open-data page, each dataset's page and files, the DCAT-AP catalogue.

    /data/                          every published (period, level) with its files
    /data/catalog.jsonld            DCAT-AP catalogue in JSON-LD (for CKAN's ckanext-dcat);
                                    each level's datasets across the years are one
                                    dcat:DatasetSeries (its URI: /data/#series-LEVEL)
    /data/P/LEVEL/                  one dataset (its stable URI)
    /data/P/LEVEL/NAME              one file of it (NAME as in SHA256SUMS)
    /data/P/LEVEL/vN/ (and /NAME)   version N of it, a dataset of its own (every version
                                    stays served, so `chiso verify` checks any of them)

Only published snapshots appear: anything else is 404.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import condition, require_safe

from chiso.api import opendata
from chiso.api.http import per_request


def _entries(ds: opendata.Dataset) -> list[dict[str, Any]]:
    made = opendata.files(ds)
    english = (get_language() or "vi").startswith("en")
    return [
        {
            "name": name,
            "title": opendata.TITLES[name][1 if english else 0],
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "media_type": opendata.MEDIA_TYPES[name],
            "url": f"/data/{ds.slug}/{name}",
        }
        for name, body in made.items()
    ]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    found = [
        {
            "dataset": ds,
            "title": ds.title(lang),
            "description": ds.description(lang),
            "files": _entries(ds),
        }
        for ds in opendata.datasets()
    ]
    return render(
        request,
        "api/data.html",
        {"datasets": found, "licence_url": opendata.LICENSE_URL},
    )


def _dataset(period_id: int, level: str, version: int | None = None) -> opendata.Dataset:
    ds = opendata.dataset(period_id, level, version)
    if ds is None:
        raise Http404("No such dataset.")
    return ds


@require_safe
def dataset_page(
    request: HttpRequest, period_id: int, level: str, version: int | None = None
) -> HttpResponse:
    ds = _dataset(period_id, level, version)
    lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    item = {
        "dataset": ds,
        "title": ds.title(lang),
        "description": ds.description(lang),
        "files": _entries(ds),
        "versions": opendata.versions(ds.snapshot.period_id, ds.snapshot.level),
    }
    return render(
        request,
        "api/data.html",
        {"datasets": [item], "licence_url": opendata.LICENSE_URL, "single": True},
    )


@per_request
def _file(
    request: HttpRequest, period_id: int, level: str, name: str, version: int | None = None
) -> tuple[opendata.Dataset, bytes]:
    """The dataset and the file asked for (404 when either is not published)."""
    ds = _dataset(period_id, level, version)
    made = opendata.files(ds)
    if name not in made:
        raise Http404("No such file.")
    return ds, made[name]


def _file_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    return hashlib.sha256(_file(request, *args, **kwargs)[1]).hexdigest()


def _file_time(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime:
    return _file(request, *args, **kwargs)[0].snapshot.published_at


@require_safe
@condition(etag_func=_file_etag, last_modified_func=_file_time)
def dataset_file(
    request: HttpRequest, period_id: int, level: str, name: str, version: int | None = None
) -> HttpResponse:
    ds, body = _file(request, period_id, level, name, version)
    media = opendata.MEDIA_TYPES[name]
    if media.startswith("text/") or media in ("application/json", "application/yaml"):
        media += "; charset=utf-8"
    response = HttpResponse(body, content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{ds.identifier}-{name}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any web page may read it
    return response


# --- DCAT-AP --------------------------------------------------------------------------

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "locn": "http://www.w3.org/ns/locn#",
}
# Thanh Hóa in GeoNames, so a harvester can place the datasets on a map.
SPATIAL = "https://sws.geonames.org/1566165/"
MEDIA = "https://www.iana.org/assignments/media-types/"


def _text(vi: str, en: str) -> list[dict[str, str]]:
    return [{"@value": vi, "@language": "vi"}, {"@value": en, "@language": "en"}]


def _date(value: Any) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"}


def _dataset_node(ds: opendata.Dataset, publisher: str) -> dict[str, Any]:
    """A dataset in DCAT-AP: its distributions (files) with their checksums."""
    site = settings.CHISO_SITE_URL
    s = ds.snapshot
    year = s.period.year
    distributions = []
    for entry in _entries(ds):
        distributions.append(
            {
                "@id": f"{ds.uri()}{entry['name']}#distribution",
                "@type": "dcat:Distribution",
                "dct:title": _text(*opendata.TITLES[entry["name"]]),
                "dcat:accessURL": {"@id": ds.uri()},
                "dcat:downloadURL": {"@id": site + entry["url"]},
                "dcat:mediaType": {"@id": MEDIA + entry["media_type"]},
                "dct:format": entry["media_type"],
                "dcat:byteSize": {"@value": str(entry["size"]), "@type": "xsd:decimal"},
                "dct:license": {"@id": opendata.LICENSE_URL},
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                    "spdx:checksumValue": {
                        "@value": entry["sha256"],
                        "@type": "xsd:hexBinary",
                    },
                },
            }
        )
    return {
        "@id": ds.uri(),
        "@type": "dcat:Dataset",
        "dct:identifier": ds.identifier,
        "dct:title": _text(ds.title("vi"), ds.title("en")),
        "dct:description": _text(ds.description("vi"), ds.description("en")),
        "dct:publisher": {"@id": publisher},
        # A version of its own was issued when it was published.
        "dct:issued": _date(s.published_at if ds.versioned else ds.first.published_at),
        "dct:modified": _date(s.published_at),
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": f"{year}-01-01", "@type": "xsd:date"},
            "dcat:endDate": {"@value": f"{year}-12-31", "@type": "xsd:date"},
        },
        "dct:spatial": {"@id": SPATIAL},
        "dcat:keyword": [
            {"@value": "chuyển đổi số", "@language": "vi"},
            {"@value": "Thanh Hóa", "@language": "vi"},
            {"@value": "digital transformation", "@language": "en"},
            {"@value": "DTI", "@language": "en"},
            {"@value": s.level, "@language": "en"},
        ],
        "dct:license": {"@id": opendata.LICENSE_URL},
        "dcat:landingPage": {"@id": ds.uri()},
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": "Sở Khoa học và Công nghệ tỉnh Thanh Hóa",
            "vcard:hasEmail": {"@id": f"mailto:{settings.DEFAULT_FROM_EMAIL}"},
        },
        "dcat:distribution": distributions,
        # The yearly dataset is a member of its level's series; a version is one of it.
        **({} if ds.versioned else {"dcat:inSeries": {"@id": series_uri(s.level)}}),
    }


def catalog_data() -> dict[str, Any]:
    site = settings.CHISO_SITE_URL
    graph: list[dict[str, Any]] = []
    datasets = opendata.datasets()
    publisher = {
        "@id": f"{site}/#publisher",
        "@type": "foaf:Agent",
        "foaf:name": _text(opendata.PUBLISHER["vi"], opendata.PUBLISHER["en"]),
    }
    graph.append(publisher)
    versions: list[dict[str, Any]] = []
    for ds in datasets:
        node = _dataset_node(ds, publisher["@id"])
        # Every published version is a dataset of its own, the latest its landing page.
        found = opendata.versions(ds.snapshot.period_id, ds.snapshot.level)
        kept = [_dataset_node(v, publisher["@id"]) for v in found]
        for version, item in zip(found, kept, strict=True):
            item["dct:isVersionOf"] = {"@id": ds.uri()}
            item["dcat:version"] = str(version.snapshot.version)
        node["dct:hasVersion"] = [{"@id": item["@id"]} for item in kept]
        graph.append(node)
        versions.extend(kept)
    graph.extend(versions)
    series = _series(datasets, publisher["@id"])
    graph.extend(series)
    graph.append(
        {
            "@id": f"{site}/data/catalog.jsonld",
            "@type": "dcat:Catalog",
            "dct:title": _text("Dữ liệu mở chiso", "chiso open data"),
            "dct:description": _text(
                "Kết quả đánh giá chuyển đổi số đã công bố của tỉnh Thanh Hóa.",
                "Published digital-transformation assessment results of Thanh Hóa province.",
            ),
            "dct:publisher": {"@id": publisher["@id"]},
            "dct:license": {"@id": opendata.LICENSE_URL},
            "dcat:dataset": [{"@id": ds.uri()} for ds in datasets]
            + [{"@id": node["@id"]} for node in versions]
            + [{"@id": node["@id"]} for node in series],
        }
    )
    return {"@context": CONTEXT, "@graph": graph}


# The EU's frequency vocabulary, as DCAT-AP asks for dct:accrualPeriodicity.
ANNUAL = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"


def series_uri(level: str) -> str:
    return f"{settings.CHISO_SITE_URL}/data/#series-{level}"


def _series(datasets: list[opendata.Dataset], publisher: str) -> list[dict[str, Any]]:
    """One dcat:DatasetSeries per level: its datasets across the years (DCAT 3,
    DCAT-AP 3), the first and the last by year; each dataset names it by dcat:inSeries."""
    by_level: dict[str, list[opendata.Dataset]] = {}
    for ds in datasets:
        by_level.setdefault(ds.snapshot.level, []).append(ds)
    series = []
    for level, members in sorted(by_level.items()):
        members.sort(key=lambda ds: (ds.snapshot.period.year, ds.snapshot.period_id))
        vi, en = opendata.LEVEL_NAMES[level]
        first, last = members[0], members[-1]
        series.append(
            {
                "@id": series_uri(level),
                "@type": "dcat:DatasetSeries",
                "dct:title": _text(
                    f"Kết quả đánh giá chuyển đổi số {vi} qua các năm",
                    f"Digital transformation assessment of {en}, year by year",
                ),
                "dct:description": _text(
                    f"Mỗi năm một bộ dữ liệu: xếp hạng, điểm và số liệu đã chấm của {vi}"
                    " tỉnh Thanh Hóa.",
                    f"One dataset a year: the ranking, points and scored values of the {en}"
                    " of Thanh Hóa province.",
                ),
                "dct:publisher": {"@id": publisher},
                "dct:accrualPeriodicity": {"@id": ANNUAL},
                "dct:spatial": {"@id": SPATIAL},
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": {
                        "@value": f"{first.snapshot.period.year}-01-01",
                        "@type": "xsd:date",
                    },
                    "dcat:endDate": {
                        "@value": f"{last.snapshot.period.year}-12-31",
                        "@type": "xsd:date",
                    },
                },
                "dct:issued": _date(min(ds.first.published_at for ds in members)),
                "dct:modified": _date(max(ds.snapshot.published_at for ds in members)),
                "dct:license": {"@id": opendata.LICENSE_URL},
                "dcat:first": {"@id": first.uri()},
                "dcat:last": {"@id": last.uri()},
            }
        )
    return series


@require_safe
def catalog(request: HttpRequest) -> HttpResponse:
    body = json.dumps(catalog_data(), ensure_ascii=False, indent=1).encode("utf-8")
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
