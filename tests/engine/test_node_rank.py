"""Every branch and indicator is ranked the way the total is (pillar ranks of the DTI)."""

from __future__ import annotations

import numpy as np

from chiso.engine import Values, score
from tests.engine.builders import DONG_SON, HAC_THANH, HAM_RONG, branch, leaf, make_framework


def linear():
    # A fresh dict each time: a shared one would be written as a YAML alias, which
    # framework files may not use.
    return {"method": "linear", "zero": 0, "full": 10}


def _framework():
    return make_framework(
        branch("CQS", leaf("CQS.1", 10, linear()), leaf("CQS.2", 10, linear())),
        branch("KTS", leaf("KTS.1", 10, linear())),
        branch("XHS", leaf("XHS.1", 0, linear())),
    )


def test_pillars_are_ranked_like_the_total_with_shared_ranks_for_ties():
    framework = _framework()
    values = Values.from_mapping(
        framework,
        {
            HAM_RONG: {"CQS.1": 10, "CQS.2": 0, "KTS.1": 2},
            HAC_THANH: {"CQS.1": 5, "CQS.2": 5, "KTS.1": 9},
            DONG_SON: {"CQS.1": 2, "CQS.2": 2, "KTS.1": 9 + 5e-10},
        },
    )
    results = score(framework, values)
    column = {code: i for i, code in enumerate(results.node_codes)}
    ranks = results.node_rank
    assert ranks.shape == (3, len(results.node_codes))
    # Hàm Rồng and Hạc Thành both have 10 of 20 points in CQS: they share the first rank.
    assert ranks[:, column["CQS"]].tolist() == [1, 1, 3]
    # 9 and 9 + 5e-10 are a tie: both first, Hàm Rồng third.
    assert ranks[:, column["KTS"]].tolist() == [3, 1, 1]
    assert ranks[:, column["CQS.1"]].tolist() == [1, 2, 3]


def test_a_pillar_worth_nothing_has_no_value_and_every_unit_shares_its_rank():
    framework = _framework()
    values = Values.from_mapping(framework, {HAM_RONG: {"XHS.1": 3}, HAC_THANH: {"XHS.1": 9}})
    results = score(framework, values)
    xhs = results.node_codes.index("XHS")
    assert np.isnan(results.node_values[:, xhs]).all()
    assert results.node_rank[:, xhs].tolist() == [1, 1]


def test_the_total_rank_and_a_single_pillar_framework_agree():
    framework = make_framework(branch("CQS", leaf("CQS.1", 10, linear())))
    values = Values.from_mapping(framework, {"a": {"CQS.1": 3}, "b": {"CQS.1": 8}, "c": {}})
    results = score(framework, values)
    assert results.node_rank[:, 0].tolist() == results.rank.tolist() == [2, 1, 3]
