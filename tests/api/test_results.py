"""Contract tests of the results endpoints: published, a unit's history, provisional."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def url(period) -> str:
    return f"/api/v1/results/{period.pk}/commune"


def test_published_results_give_every_figure_of_every_unit_best_first(client, published):
    body = client.get(url(published.period)).json()
    assert body["version"] == 1 and body["provisional"] is False and body["count"] == 2
    assert body["framework"]["code"] == "test-commune-mini"
    first, second = body["items"]
    assert (first["unit"]["code"], first["rank"]) == ("14758", 1)
    assert (second["unit"]["code"], second["rank"]) == ("14797", 2)
    # 90 % online: linear 0..90 gives the full 40; portal 20; signatures 45 % >= 30: 40.
    assert first["points"] == pytest.approx(100) and first["value"] == pytest.approx(1)
    assert first["recognized"] is True and second["recognized"] is False
    assert [p["code"] for p in first["pillars"]] == ["CQS", "XHS"]
    assert first["pillars"][0] == {
        "code": "CQS",
        "value": pytest.approx(1),
        "rank": 1,
        "out_of": 2,
    }
    cqs1 = next(i for i in first["indicators"] if i["code"] == "CQS.1")
    assert cqs1 == {
        "code": "CQS.1",
        "value": pytest.approx(90),
        "score": 1,
        "points": 40,
        "applies": True,
    }
    assert "XHS.1" in second["unmet_mandatory"]
    # Every indicator applies to both wards: their own maximum is the framework's.
    assert first["not_applicable"] == [] and first["unit_max_points"] == 100


def test_published_results_are_paginated(client, published):
    first = client.get(url(published.period) + "?page_size=1").json()
    assert len(first["items"]) == 1 and first["next"].endswith("page=2")
    second = client.get(first["next"]).json()
    assert second["items"][0]["unit"]["code"] == "14797" and second["next"] is None


def test_published_results_revalidate_with_304(client, published):
    response = client.get(url(published.period))
    assert response["Last-Modified"]
    again = client.get(url(published.period), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_unpublished_results_are_404_for_everyone_even_staff(client, login, approved, hoa):
    assert client.get(url(approved)).json()["code"] == "not_found"
    login(hoa)
    assert client.get(url(approved)).status_code == 404


def test_the_reviewer_sees_provisional_results_before_publication(client, login, approved, hoa):
    login(hoa)
    body = client.get(url(approved) + "/provisional").json()
    assert body["provisional"] is True and body["version"] is None
    assert [i["unit"]["code"] for i in body["items"]] == ["14758", "14797"]


def test_provisional_results_are_refused_to_officers_systems_and_the_public(
    client, login, approved, lan, portal_token
):
    assert client.get(url(approved) + "/provisional").status_code == 401
    assert client.get(url(approved) + "/provisional", **bearer(portal_token)).status_code == 403
    login(lan)
    assert client.get(url(approved) + "/provisional").status_code == 403


def test_a_units_history_lists_its_published_rank_in_each_period(client, published, ham_rong):
    history = client.get(f"/api/v1/units/{ham_rong.pk}/results").json()
    assert history == [
        {
            "period": published.period.pk,
            "year": published.period.year,
            "name": published.period.name,
            "level": "commune",
            "version": 1,
            "rank": 1,
            "value": pytest.approx(1),
            "points": pytest.approx(100),
            "recognized": True,
            "units_ranked": 2,
            "derived": False,
        }
    ]


def test_a_period_says_which_levels_are_published(client, published):
    item = client.get(f"/api/v1/periods/{published.period.pk}").json()
    assert item["levels"][0]["published"] is True


def test_the_answer_is_the_rows_as_publishing_rendered_them_and_as_read_now(client, published):
    """Publishing stored each row as the API's schema writes it; the answer joins those
    texts, and they are what the renderer makes of the stored rows."""
    from chiso.results import cards, read, schemas

    body = client.get(url(published.period) + "?page_size=5000").json()
    ranking = read.ranking(published.period, "commune")
    render = cards.api_row_renderer(ranking)
    assert body["items"] == [
        schemas.ResultRow.model_validate(render(row)).model_dump(mode="json")
        for row in ranking.rows
    ]
    assert (body["count"], body["ranked"], body["units"]) == (2, 2, 2)
    page = client.get(url(published.period) + "?page_size=1&page=2").json()
    assert page["items"] == body["items"][1:] and page["next"] is None


def test_every_stored_row_is_the_schemas_own_writing(published):
    """What the API joins is ResultRow's output: read back through the schema, each
    stored text is written again byte for byte."""
    from chiso.results import read, schemas

    texts = list(read.api_rows(published))
    assert len(texts) == 2
    for text in texts:
        assert schemas.ResultRow.model_validate_json(text).model_dump_json().encode() == text


def test_results_published_before_rows_were_stored_rendered_answer_the_same(
    client, published, settings
):
    """A snapshot of an older chiso has no stored texts: its rows are written through the
    same schema when asked, and the answer is the same, page by page."""
    from chiso.results.models import UnitRow

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    stored = [client.get(url(published.period) + q) for q in ("", "?page_size=1&page=2")]
    UnitRow.objects.filter(snapshot=published).update(api="")
    older = [client.get(url(published.period) + q) for q in ("", "?page_size=1&page=2")]
    for before, after in zip(stored, older, strict=True):
        assert after.status_code == 200 and after.json() == before.json()
        assert after["ETag"] == before["ETag"]


def test_a_name_with_quotes_and_backslashes_reads_back_as_written(client, approved, tuan):
    """The stored rows are joined as bytes: JSON's escapes and Vietnamese letters pass
    through untouched on every database."""
    from chiso.results.services import publish
    from chiso.units.models import Unit

    name = 'Phường "Hàm Rồng" \\ C:\\temp\\x41 \\u0041'
    Unit.objects.filter(code="14758").update(name=name)
    publish(approved, "commune", tuan)
    first = client.get(url(approved)).json()["items"][0]
    assert first["unit"]["name"] == name
