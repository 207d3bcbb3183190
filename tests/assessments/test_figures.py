"""One loader of figures: what the unit entered, what the reviewer set, what counts."""

from __future__ import annotations

import pytest

from chiso.assessments import services
from chiso.assessments.figures import figures_of
from chiso.assessments.models import Submission
from tests.people import fill, submit

pytestmark = pytest.mark.django_db


def test_chi_hoa_s_correction_counts_but_chi_lan_s_figure_is_kept(period, submission, lan, hoa):
    sent = submit(fill(submission, lan, **{"XHS.1": 35, "CQS.2": 1}), lan)
    services.verify_value(sent, "XHS.1", 28, user=hoa, reason="Công an", expected_version=None)
    both = Submission.objects.filter(period=period).select_related("unit")

    assert figures_of(both) == {"14758": {"XHS.1": 28, "CQS.2": 1}, "14797": {}}
    assert figures_of(both, "self")["14758"] == {"XHS.1": 35, "CQS.2": 1}
    assert figures_of(both, "verified")["14758"] == {"XHS.1": 28}


def test_an_emptied_figure_is_left_out(submission, lan):
    saved = fill(fill(submission, lan, **{"XHS.1": 35}), lan, **{"XHS.1": None})
    assert figures_of([saved]) == {"14758": {}}
