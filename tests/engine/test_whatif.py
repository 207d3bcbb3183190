"""What-if: the DX office changes points, thresholds, the recognition rule or figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chiso.engine import EngineError, Values, dump_framework, parse_framework, score
from chiso.engine.whatif import Changes, apply_changes, what_if

MINI = Path(__file__).parents[1] / "fixtures" / "mini-commune.yaml"

# Three communes: An has everything (100 points); Bình misses the mandatory signature
# threshold (25 % < 30 %: 60 points, not recognized); Châu has no portal (80 points).
FIGURES = {
    "an": {"hs_tt": 95, "hs_tong": 100, "CQS.2": 1, "XHS.1": 40},
    "binh": {"hs_tt": 90, "hs_tong": 100, "CQS.2": 1, "XHS.1": 25},
    "chau": {"hs_tt": 90, "hs_tong": 100, "CQS.2": 0, "XHS.1": 35},
}


@pytest.fixture
def data() -> dict:
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


def test_no_change_moves_nobody(data):
    result = what_if(data, FIGURES, Changes())
    assert [m.rank_before for m in result.moves] == [m.rank_after for m in result.moves]
    assert result.gained == () and result.lost == ()


def test_a_lower_threshold_gives_binh_recognition(data):
    result = what_if(data, FIGURES, Changes(score={"XHS.1": {"at_least": 20}}))
    assert result.gained == ("binh",)
    binh = next(m for m in result.moves if m.unit == "binh")
    assert binh.value_before == pytest.approx(0.6)
    assert binh.value_after == pytest.approx(1.0)
    assert (binh.rank_before, binh.rank_after) == (3, 1)  # tied with An


def test_a_higher_bar_for_recognition_takes_it_from_those_below(data):
    # Châu: 40 + 0 + 40 = 80 points: recognized at 60, not at 85.
    before = what_if(data, FIGURES, Changes())
    assert dict((m.unit, m.recognized_before) for m in before.moves)["chau"] is True
    result = what_if(data, FIGURES, Changes(recognition={"min_points": 85}))
    assert result.lost == ("chau",)


def test_changed_points_rescale_the_value(data):
    result = what_if(data, FIGURES, Changes(points={"CQS.2": 0}))
    chau = next(m for m in result.moves if m.unit == "chau")
    assert chau.value_after == pytest.approx(1.0)


def test_a_changed_figure_counts_only_in_the_changed_ranking(data):
    result = what_if(data, FIGURES, Changes(values={"binh": {"XHS.1": 31}}))
    assert result.gained == ("binh",)
    assert FIGURES["binh"]["XHS.1"] == 25  # the caller's figures are left alone


def test_the_same_answer_as_scoring_the_changed_file(data):
    changes = Changes(points={"CQS.1": 30}, score={"CQS.1": {"full": 80}})
    result = what_if(data, FIGURES, changes)
    reparsed = parse_framework(dump_framework(result.data))
    direct = score(reparsed, Values.from_mapping(reparsed, FIGURES))
    assert list(direct.value) == pytest.approx(list(result.after.value))
    assert data["tree"][0]["children"][0]["points"] == 40  # the original is not edited


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        (Changes(points={"NOPE": 3}), "points.NOPE"),
        (Changes(score={"CQS.2": {"at_least": 1}}), "score.CQS.2.at_least"),
        (Changes(values={"nobody": {"XHS.1": 1}}), "values.nobody"),
        (Changes(values={"an": {"XHS.9": 1}}), "values.an.XHS.9"),
    ],
)
def test_changes_to_what_does_not_exist_are_named(data, changes, where):
    with pytest.raises(EngineError) as caught:
        what_if(data, FIGURES, changes)
    assert [p.where for p in caught.value.problems] == [where]


def test_negative_points_make_an_invalid_framework(data):
    with pytest.raises(EngineError):
        what_if(data, FIGURES, Changes(points={"CQS.2": -5}))


@pytest.mark.parametrize(
    "sent",
    [
        [],
        {"points": []},
        {"points": {"CQS.1": "ten"}},
        {"points": {"CQS.1": float("inf")}},
        {"points": {"CQS.1": True}},
        {"recognition": {"min_points": "x"}},
        {"recognition": {"eval": 1}},
        {"values": {"an": 3}},
    ],
)
def test_changes_sent_by_a_page_are_checked(sent):
    with pytest.raises(EngineError):
        Changes.from_json(sent)


def test_changes_sent_by_a_page_are_read():
    changes = Changes.from_json(
        {
            "points": {"CQS.1": 30},
            "score": {"XHS.1": {"at_least": 20}},
            "recognition": {"min_value": 0.7, "all_mandatory": False},
            "values": {"an": {"XHS.1": None, "CQS.2": 0}},
        }
    )
    assert changes.points == {"CQS.1": 30.0}
    assert changes.recognition == {"min_value": 0.7, "all_mandatory": False}
    assert changes.values == {"an": {"XHS.1": None, "CQS.2": 0.0}}
    assert not changes.empty


def test_min_value_replaces_min_points(data):
    changed = apply_changes(data, Changes(recognition={"min_value": 0.9}))
    assert changed["recognition"] == {"all_mandatory": True, "min_value": 0.9}
    parse_framework(dump_framework(changed))
