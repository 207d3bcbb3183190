"""The statistical audit of a period, and history derived across the 2025 reform."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chiso.engine import (
    EngineError,
    Values,
    change_outliers,
    correlations,
    derive_values,
    non_discriminating,
    peer_outliers,
    pillar_correlations,
    robust_z,
    score,
    summarise,
)
from tests.engine.builders import branch, leaf, make_framework

FRAMEWORK = make_framework(
    branch(
        "CQS",
        leaf("online", 10, {"method": "linear", "zero": 0, "full": 100}),
        leaf("signed", 10, {"method": "linear", "zero": 0, "full": 100}),
        leaf("portal", 10, {"method": "boolean"}),
    ),
    branch("XHS", leaf("health", 10, {"method": "linear", "zero": 0, "full": 10000})),
)
CODES = ("online", "signed", "portal", "health")
UNITS = tuple(f"{14758 + index}" for index in range(10))


def year(rows: list[list[float]]) -> Values:
    return Values(UNITS[: len(rows)], CODES, rows)


def steady_year(shift: float = 0.0) -> list[list[float]]:
    # Ten communes: "signed" follows "online" exactly, "health" is its square, all have a portal.
    return [[10.0 * i + shift, 20.0 * i + 5 + shift, 1.0, (10.0 * i) ** 2] for i in range(10)]


def test_coverage_counts_the_communes_that_reported_each_indicator():
    rows = steady_year()
    rows[3][0] = rows[7][0] = math.nan
    results = score(FRAMEWORK, year(rows))

    online, signed, *_ = summarise(results)

    assert (online.reported, online.coverage) == (8, 0.8)
    assert (signed.reported, signed.coverage, signed.minimum, signed.maximum) == (10, 1.0, 5, 185)
    assert signed.median == pytest.approx(95.0)


def test_robust_z_scores_use_the_median_and_the_mad():
    z = robust_z(np.array([1.0, 2.0, 3.0, 4.0, 100.0, math.nan]))
    # Median 3, MAD 1: z = 0.6745 (x - 3).
    assert z[:5] == pytest.approx([-1.349, -0.6745, 0.0, 0.6745, 65.4265])
    assert math.isnan(z[5])
    # Most communes equal: the mean absolute deviation stands in for a MAD of 0.
    assert robust_z(np.array([5.0, 5.0, 5.0, 5.0, 9.0]))[4] > 3.5
    assert robust_z(np.array([5.0, 5.0]))[0] == 0.0


def test_a_jump_from_last_year_is_flagged_and_steady_growth_is_not():
    before = score(FRAMEWORK, year(steady_year()))
    rows = steady_year(shift=2.0)
    rows[4][0] = 95.0  # 40 % last year
    after = score(FRAMEWORK, year(rows))

    flagged = change_outliers(after, before)

    assert [(o.unit, o.code, o.value, o.reference) for o in flagged] == [
        (UNITS[4], "online", 95.0, 40.0)
    ]
    assert flagged[0].kind == "change" and flagged[0].z > 3.5


def test_a_ward_that_looks_like_no_other_ward_is_flagged_among_wards_only():
    rows = [[50.0, 50.0, 1.0, 500.0] for _ in range(10)]
    for index in range(5):
        rows[index][1] = 50.0 + index  # wards: 50..54 signed
    rows[2][1] = 99.0
    for index in range(5, 10):
        rows[index][1] = 98.0 + index / 10  # communes sign far more
    results = score(FRAMEWORK, year(rows))
    kinds = {unit: ("ward" if index < 5 else "commune") for index, unit in enumerate(UNITS)}

    flagged = peer_outliers(results, kinds)

    assert [(o.unit, o.code, o.kind) for o in flagged] == [(UNITS[2], "signed", "peers")]
    assert flagged[0].reference == 53.0  # the median of 50, 51, 99, 53, 54


def test_correlations_pearson_for_lines_spearman_for_any_rising_curve():
    results = score(FRAMEWORK, year(steady_year()))

    found = correlations(results)

    online, signed, health = (found.codes.index(code) for code in ("online", "signed", "health"))
    assert found.pearson[online, signed] == pytest.approx(1.0)
    assert found.spearman[online, health] == pytest.approx(1.0)
    assert found.pearson[online, health] < 0.99
    # Every commune has a portal: nothing to correlate with.
    assert math.isnan(found.pearson[online, found.codes.index("portal")])


def test_each_indicator_correlates_with_its_pillar():
    results = score(FRAMEWORK, year(steady_year()))

    by_code = {c.code: c for c in pillar_correlations(FRAMEWORK, results)}

    assert by_code["online"].pillar == "CQS" and by_code["online"].spearman == pytest.approx(1.0)
    assert by_code["health"].pearson == pytest.approx(1.0)


def test_an_indicator_every_commune_meets_does_not_discriminate():
    results = score(FRAMEWORK, year(steady_year()))

    assert non_discriminating(FRAMEWORK, results) == ("portal",)


# ---------------------------------------------------------------------------
# History across the reform


def test_a_merged_commune_gets_the_mean_of_its_predecessors_by_hand():
    # Phường Hạc Thành (after 1 July 2025) = old Điện Biên + Lam Sơn + Ba Đình.
    # In 2024: Điện Biên 40 % online, 60 signed; Lam Sơn 80 %, signed missing;
    # Ba Đình not in the 2024 file at all.
    framework = FRAMEWORK
    earlier = Values(("dien-bien", "lam-son"), CODES, [[40, 60, 1, 200], [80, math.nan, 0, 600]])
    merges = {"hac-thanh": ["dien-bien", "lam-son", "ba-dinh"]}

    mean = derive_values(earlier, merges)
    by_area = derive_values(earlier, merges, "area", {"dien-bien": 1.0, "lam-son": 3.0})
    no_population = derive_values(earlier, merges, "population", {"dien-bien": 9000})

    assert mean.values.units == ("hac-thanh",)
    assert mean.values.matrix[0].tolist() == [60.0, 60.0, 0.5, 400.0]
    # Weighted 1:3; "signed" only Điện Biên reported, so it is its value.
    assert by_area.values.matrix[0].tolist() == [70.0, 60.0, 0.25, 500.0]
    assert by_area.rule_used == {"hac-thanh": "area"}
    assert no_population.rule_used == {"hac-thanh": "mean"}
    assert mean.sources == {"hac-thanh": ("dien-bien", "lam-son")}
    assert mean.derived.all()
    # The derived figures score like any others (a portal in half the old wards counts as one).
    assert score(framework, mean.values).points[0] == pytest.approx(6 + 6 + 10 + 0.4)


def test_a_weighted_rule_needs_its_weights():
    earlier = Values(("a",), CODES, [[1, 1, 1, 1]])
    with pytest.raises(EngineError, match="population"):
        derive_values(earlier, {"b": ["a"]}, "population")


def many_communes(online: list[float]) -> Values:
    """As many communes as figures for "online"; the other figures alike and ordinary."""
    units = tuple(f"{15000 + index}" for index in range(len(online)))
    rows = [[share, 50.0 + index % 7, 1.0, 400.0 + index] for index, share in enumerate(online)]
    return Values(units, CODES, rows)


def test_a_planted_outlier_is_flagged_with_its_method():
    shares = [60.0 + (index * 7) % 30 for index in range(60)]
    shares[17] = 4.0  # typed 4 for 94, say
    results = score(FRAMEWORK, many_communes(shares))

    flagged = peer_outliers(results, dict.fromkeys(results.units, "xa"))

    assert [(o.unit, o.code, o.value) for o in flagged] == [("15017", "online", 4.0)]
    assert flagged[0].method == "mad" and flagged[0].z < -3.5


def test_a_near_constant_share_is_not_flagged_everywhere_but_its_planted_outlier_is():
    # Forty communes at 100 %, eight a little below: the MAD is 0.
    shares = [100.0] * 40 + [97.0, 97.5, 98.0, 98.5, 99.0, 99.5, 99.9, 95.0]
    results = score(FRAMEWORK, many_communes(shares))
    kinds = dict.fromkeys(results.units, "xa")

    assert peer_outliers(results, kinds) == []

    shares[3] = 20.0
    flagged = peer_outliers(score(FRAMEWORK, many_communes(shares)), kinds)
    assert [(o.unit, o.value, o.method) for o in flagged] == [("15003", 20.0, "guard")]
    # Guarded at 5 % of the typical share (100): z = (20 - 100) / 5.
    assert flagged[0].scale == pytest.approx(5.0) and flagged[0].z == pytest.approx(-16.0)


def test_a_share_that_moves_from_95_to_100_is_no_jump_when_most_did_not_move():
    # Half the communes stayed at 100 %, half crept up by a tenth or two: the MAD of
    # the changes is a few hundredths.
    before = [100.0] * 24 + [90.0 + index / 10 for index in range(24)] + [95.0, 95.0, 60.0, 70.0]
    after = [100.0] * 24 + [90.1 + index / 8 for index in range(24)] + [100.0, 100.0, 60.0, 10.0]

    flagged = change_outliers(
        score(FRAMEWORK, many_communes(after)), score(FRAMEWORK, many_communes(before))
    )

    assert [(o.unit, o.code, o.value, o.reference) for o in flagged] == [
        ("15051", "online", 10.0, 70.0)
    ]


def test_an_answer_many_units_give_is_not_an_outlier():
    # A tenth of the communes answer the lower step (50), the rest the upper (80);
    # two communes have no portal (a yes/no answer has no distance to weigh).
    values = many_communes([80.0] * 54 + [50.0] * 6)
    rows = values.matrix.copy()
    rows[:2, CODES.index("portal")] = 0.0
    results = score(FRAMEWORK, Values(values.units, CODES, rows))

    assert peer_outliers(results, dict.fromkeys(results.units, "xa")) == []
