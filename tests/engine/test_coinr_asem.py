"""chiso reproduces a published composite index: COINr's ASEM example.

COINr (the EU Joint Research Centre's composite-indicator package) publishes
`get_results(build_example_coin(), "Aggregated")`: Switzerland 68.38, the
Netherlands 64.82, ... on 0-100. The framework in tests/fixtures/coinr-asem
scores COINr's treated data with `relative` (min-max) scoring, the 14
lower-is-better indicators with `better: lower` (their data as published, not
rewritten as 0 - x), and COINr's equal weights folded into points. Every
published aggregate must come out to its published two decimals.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chiso.engine import parse_framework, parse_values, score

ASEM = Path(__file__).parents[1] / "fixtures" / "coinr-asem"


@pytest.fixture(scope="module")
def asem():
    framework = parse_framework((ASEM / "framework.yaml").read_text(encoding="utf-8"))
    with (ASEM / "values.csv").open(encoding="utf-8", newline="") as stream:
        rows = [
            (line, row["unit"], row["code"], row["value"])
            for line, row in enumerate(csv.DictReader(stream), start=2)
        ]
    return score(framework, parse_values(rows, framework))


def published() -> list[tuple[str, str, str]]:
    with (ASEM / "published.csv").open(encoding="utf-8", newline="") as stream:
        return [(row["unit"], row["code"], row["value"]) for row in csv.DictReader(stream)]


def test_the_framework_scores_lower_is_better_indicators_without_rewriting_their_data():
    framework = parse_framework((ASEM / "framework.yaml").read_text(encoding="utf-8"))
    lower = [leaf.code for leaf in framework.leaves if leaf.score and leaf.score.better == "lower"]
    assert len(lower) == 14
    assert len(framework.leaves) == 49
    # A lower-is-better figure is entered as published: positive, not 0 - x.
    with (ASEM / "values.csv").open(encoding="utf-8", newline="") as stream:
        entered = [float(row["value"]) for row in csv.DictReader(stream) if row["code"] in lower]
    assert min(entered) >= 0


@pytest.mark.parametrize(("unit", "code", "figure"), published())
def test_every_published_figure_is_reproduced_to_its_published_precision(asem, unit, code, figure):
    result = asem.unit(unit)
    if code == "rank":
        assert result.rank == int(figure)
    else:
        value = result.value if code == "Index" else result.node_values[code]
        assert f"{100 * value:.2f}" == figure


def test_switzerland_leads_and_the_netherlands_follow(asem):
    best = [asem.units[row] for row in asem.order()[:2].tolist()]
    assert best == ["CHE", "NLD"]
    assert f"{100 * asem.unit('CHE').value:.2f}" == "68.38"
    assert f"{100 * asem.unit('NLD').value:.2f}" == "64.82"
