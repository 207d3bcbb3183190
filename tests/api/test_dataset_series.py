"""The open-data catalogue groups each level's datasets across the years as one DCAT
dataset series, the way DCAT-AP 3 and ckanext-dcat read them: a harvester reading
the catalogue finds the communes' 2024 and 2026 results as two years of one series."""

from __future__ import annotations

import pytest

from chiso.assessments import workflow
from chiso.results.services import publish
from tests.people import fill, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_2024(period_2024, hoang_quy, binh, dung, hoa, tuan):
    """Anh Bình's Xã Hoằng Quý, approved by the district (Chị Dung), then the province
    (Chị Hoa); Anh Tuấn publishes the 2024 commune results."""
    sub = period_2024.submissions.get(unit=hoang_quy)
    sub = submit(fill(sub, binh, hs_tt=500, hs_tong=1000, **{"CQS.2": 1, "XHS.1": 30}), binh)
    sub = workflow.transition(sub, "district_approve", dung)
    workflow.transition(sub, "approve", hoa)
    return publish(period_2024, "commune", tuan)


def dcat3():
    """DCAT 3's terms (rdflib's DCAT namespace stops at DCAT 2: no series)."""
    from rdflib import Namespace

    return Namespace("http://www.w3.org/ns/dcat#")


def catalogue(client):
    from rdflib import Graph

    response = client.get("/data/catalog.jsonld")
    return Graph().parse(data=response.content, format="json-ld")


def test_each_years_commune_dataset_is_in_the_communes_series(
    client, settings, published, published_2024
):
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, RDF

    graph, DCAT = catalogue(client), dcat3()
    site = settings.CHISO_SITE_URL
    series = list(graph.subjects(RDF.type, DCAT.DatasetSeries))
    assert series == [URIRef(f"{site}/data/#series-commune")]
    older = URIRef(f"{site}/data/{published_2024.period_id}/commune/")
    newer = URIRef(f"{site}/data/{published.period_id}/commune/")
    assert set(graph.subjects(DCAT.inSeries, series[0])) == {older, newer}
    assert graph.value(series[0], DCAT.first) == older
    assert graph.value(series[0], DCAT.last) == newer
    assert {literal.language for literal in graph.objects(series[0], DCTERMS.title)} == {
        "vi",
        "en",
    }
    assert graph.value(series[0], DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    )
    temporal = graph.value(series[0], DCTERMS.temporal)
    assert str(graph.value(temporal, DCAT.startDate)) == "2024-01-01"
    assert str(graph.value(temporal, DCAT.endDate)) == f"{published.period.year}-12-31"
    catalog = URIRef(f"{site}/data/catalog.jsonld")
    assert series[0] in set(graph.objects(catalog, DCAT.dataset))


def test_a_single_year_is_a_series_of_one(client, settings, published):
    from rdflib import URIRef

    graph, DCAT = catalogue(client), dcat3()
    dataset = URIRef(f"{settings.CHISO_SITE_URL}/data/{published.period_id}/commune/")
    series = graph.value(dataset, DCAT.inSeries)
    assert graph.value(series, DCAT.first) == graph.value(series, DCAT.last) == dataset
