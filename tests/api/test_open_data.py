"""The open-data page, its datasets and files, the DCAT-AP catalogue and `chiso verify`."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

FILES = [
    "ranking.csv",
    "ranking.xlsx",
    "ranking.json",
    "values.csv",
    "framework.yaml",
    "methodology.vi.md",
    "methodology.en.md",
    "LICENSE.txt",
    "annex.pdf",
    "SHA256SUMS",
]


def base(snapshot) -> str:
    return f"/data/{snapshot.period_id}/commune/"


def download(client, snapshot, folder: Path) -> Path:
    for name in FILES:
        response = client.get(base(snapshot) + name)
        assert response.status_code == 200, name
        (folder / name).write_bytes(response.content)
    return folder


def test_the_open_data_page_lists_each_published_dataset_with_its_files(client, published):
    page = client.get("/data/").content.decode()
    for name in FILES:
        assert f"{base(published)}{name}" in page
    assert "CC BY 4.0" in page and "catalog.jsonld" in page


def test_nothing_unpublished_is_a_dataset(client, approved):
    assert "/data/" + str(approved.pk) not in client.get("/data/").content.decode()
    assert client.get(f"/data/{approved.pk}/commune/").status_code == 404
    assert client.get(f"/data/{approved.pk}/commune/ranking.csv").status_code == 404


def test_the_files_carry_the_ranking_the_figures_and_the_framework(client, published, framework):
    ranking = client.get(base(published) + "ranking.csv").content.decode().splitlines()
    assert ranking[0].startswith("unit,value,points,rank,recognized,CQS,")
    assert ranking[1].startswith("14758,1,100,1,true,") and ranking[1].endswith(
        "Phường Hàm Rồng,2,1,1,2"
    )
    values = client.get(base(published) + "values.csv").content.decode()
    assert values.startswith("unit,code,value\n") and "14758,hs_tt,900\n" in values
    assert client.get(base(published) + "framework.yaml").content.decode() == framework.text
    data = json.loads(client.get(base(published) + "ranking.json").content)
    assert data["units"][0]["unit"]["code"] == "14758" and data["version"] == 1
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(base(published) + "ranking.xlsx").content))
    assert book.active["A2"].value == "14758"


def test_the_files_are_the_same_bytes_every_time(client, published):
    from django.core.cache import cache

    first = client.get(base(published) + "ranking.xlsx").content
    cache.clear()
    time.sleep(1.1)  # openpyxl writes the time of saving: a second later, the same bytes
    assert client.get(base(published) + "ranking.xlsx").content == first


def test_the_methodology_note_is_generated_from_the_framework_in_both_languages(client, published):
    vi = client.get(base(published) + "methodology.vi.md").content.decode()
    en = client.get(base(published) + "methodology.en.md").content.decode()
    assert "Ghi chú phương pháp" in vi and "Quy tắc công nhận" in vi
    assert "đạt ít nhất 60 điểm; đạt mọi chỉ tiêu bắt buộc" in vi
    assert "**CQS.1** Share of dossiers received online: 40 points; mandatory" in en
    assert "linear from 0 (0) to 90 (full points)" in en
    assert "at least 60 points; every mandatory indicator met." in en
    assert "No indicator is reconstructed." in en


def commune_2024_note(lang: str) -> str:
    """The methodology note of the shipped commune framework of 2024, in `lang`."""
    from chiso.api.opendata import methodology
    from chiso.assessments.services import store_framework

    text = (Path("chiso/frameworks/shipped/thanhhoa-commune-2024.yaml")).read_text("utf-8")
    fw = store_framework(text, source="shipped")

    class Fake:
        snapshot = type(
            "S",
            (),
            {"framework_code": fw.code, "framework_version": 1, "framework_sha256": fw.sha256},
        )()

        def title(self, lang):
            return "x"

    return methodology(Fake(), fw.engine(), lang)


def test_the_methodology_names_reconstructed_indicators(tuan, province):
    note = commune_2024_note("en")
    assert "## Reconstructed indicators" in note and "- CQS.01 " in note


def test_sha256sums_lists_every_other_file(client, published):
    sums = client.get(base(published) + "SHA256SUMS").content.decode().splitlines()
    assert [line.split("  ")[1] for line in sums] == FILES[:-1]
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256(client.get(base(published) + name).content).hexdigest() == digest


def test_a_file_revalidates_with_304(client, published):
    response = client.get(base(published) + "ranking.csv")
    again = client.get(base(published) + "ranking.csv", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_catalogue_is_dcat_ap_that_rdflib_reads(client, published, settings):
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    spdx = Namespace("http://spdx.org/rdf/terms#")
    response = client.get("/data/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.content, format="json-ld")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    uri = URIRef(f"{settings.CHISO_SITE_URL}/data/{published.period_id}/commune/")
    # The dataset, and its version 1 as a dataset of its own.
    assert datasets == {uri, URIRef(f"{uri}v1/")}
    assert graph.value(URIRef(f"{uri}v1/"), DCTERMS.isVersionOf) == uri
    assert graph.value(uri, DCTERMS.identifier) == Literal(
        f"chiso-{published.period.year}-commune-{published.period_id}"
    )
    for prop in (DCTERMS.title, DCTERMS.description):
        languages = {literal.language for literal in graph.objects(uri, prop)}
        assert languages == {"vi", "en"}
    for prop in (
        DCTERMS.publisher,
        DCTERMS.issued,
        DCTERMS.modified,
        DCTERMS.temporal,
        DCTERMS.spatial,
        DCAT.contactPoint,
    ):
        assert graph.value(uri, prop) is not None, prop
    assert len(list(graph.objects(uri, DCAT.keyword))) >= 3
    assert graph.value(uri, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    distributions = list(graph.objects(uri, DCAT.distribution))
    assert len(distributions) == len(FILES)
    for dist in distributions:
        url = str(graph.value(dist, DCAT.downloadURL))
        body = client.get(url.removeprefix(settings.CHISO_SITE_URL)).content
        assert int(graph.value(dist, DCAT.byteSize)) == len(body)
        assert str(graph.value(dist, DCAT.mediaType)).startswith("https://www.iana.org/")
        checksum = graph.value(dist, spdx.checksum)
        assert str(graph.value(checksum, spdx.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert graph.value(checksum, spdx.algorithm) == spdx.checksumAlgorithm_sha256


def run_verify(target, *options) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "chiso.cli", "verify", str(target), *map(str, options)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_chiso_verify_recomputes_a_downloaded_dataset(client, published, tmp_path):
    folder = download(client, published, tmp_path)
    result = run_verify(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 9 checksums match; the ranking of 2 units recomputes exactly." in result.stdout


def test_chiso_verify_finds_a_changed_figure(client, published, tmp_path):
    folder = download(client, published, tmp_path)
    ranking = (folder / "ranking.csv").read_text("utf-8")
    (folder / "ranking.csv").write_text(ranking.replace("14758,1,100,", "14758,1,99,"), "utf-8")
    result = run_verify(folder)
    assert result.returncode == 1
    assert "ranking.csv: checksum differs from SHA256SUMS" in result.stdout
    assert "ranking.csv:2: unit 14758: points published 99, recomputed 100" in result.stdout


def test_chiso_verify_finds_a_figure_changed_with_its_checksum(client, published, tmp_path):
    folder = download(client, published, tmp_path)
    values = (
        (folder / "values.csv").read_text("utf-8").replace("14758,hs_tt,900", "14758,hs_tt,450")
    )
    (folder / "values.csv").write_text(values, "utf-8")
    sums = (folder / "SHA256SUMS").read_text("ascii").splitlines()
    digest = hashlib.sha256(values.encode()).hexdigest()
    sums = [f"{digest}  values.csv" if line.endswith("values.csv") else line for line in sums]
    (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n", "ascii")
    result = run_verify(folder)
    assert result.returncode == 1
    assert "unit 14758: points published 100, recomputed" in result.stdout


def test_chiso_verify_says_when_it_cannot_read(tmp_path):
    result = run_verify(tmp_path / "nowhere")
    assert result.returncode == 2 and "cannot read" in result.stderr
    (tmp_path / "SHA256SUMS").write_text("not a checksum\n")
    for name in ("framework.yaml", "values.csv", "ranking.csv"):
        (tmp_path / name).write_text("x")
    assert run_verify(tmp_path).returncode == 2


@pytest.mark.django_db(transaction=True)
def test_chiso_verify_reads_a_served_dataset_by_its_url(live_server, published):
    result = run_verify(f"{live_server.url}/data/{published.period_id}/commune/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: 9 checksums match")


@pytest.mark.django_db(transaction=True)
def test_every_published_version_is_a_dataset_that_chiso_verify_reads_by_its_url(
    client, live_server, published, tuan, settings
):
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    from chiso.results.services import publish

    corrected = publish(published.period, "commune", tuan, reason="Sửa tên đơn vị")
    first = f"/data/{published.period_id}/commune/v1/"
    for url in (first, f"/data/{published.period_id}/commune/v2/"):
        assert client.get(url).status_code == 200
    annex_v1 = client.get(first + "annex.pdf").content
    assert annex_v1 == published.annex.pdf != corrected.annex.pdf
    assert client.get(f"/data/{published.period_id}/commune/v3/").status_code == 404
    page = client.get(f"/data/{published.period_id}/commune/").content.decode()
    assert f'href="{first}"' in page and f'href="/data/{published.period_id}/commune/v2/"' in page
    graph = Graph().parse(data=client.get("/data/catalog.jsonld").content, format="json-ld")
    uri = URIRef(f"{settings.CHISO_SITE_URL}/data/{published.period_id}/commune/")
    versions = set(graph.objects(uri, DCTERMS.hasVersion))
    assert versions == {URIRef(f"{uri}v1/"), URIRef(f"{uri}v2/")}
    assert all((v, DCTERMS.isVersionOf, uri) in graph for v in versions)
    assert all((v, RDF.type, DCAT.Dataset) in graph for v in versions)
    result = run_verify(f"{live_server.url}{first}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: 9 checksums match")


def test_the_vietnamese_methodology_writes_numbers_the_vietnamese_way(tuan, province):
    import re

    # Code spans (hashes, formulas, commands) stay as they are.
    prose = re.sub(r"`[^`]*`", "", commune_2024_note("vi"))
    assert "1e-9" not in prose
    assert not re.search(r"\d\.\d", prose), re.search(r".{30}\d\.\d.{10}", prose)
    assert re.search(r"\d,\d", prose)
    assert re.search(r"\d\.\d", re.sub(r"`[^`]*`", "", commune_2024_note("en")))
