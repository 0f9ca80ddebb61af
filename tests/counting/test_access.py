"""Who sees lists, runs and review pairs: the members of the team that holds them; to anyone else they do not
exist (404), and a read-only member may look but not decide (403)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from habeas.accounts.viewer import viewer_for
from habeas.counting.models import ReviewPair
from habeas.counting.selectors import list_get_for_user, lists_visible, pair_get_for_user, run_get_for_user
from habeas.counting.services import linkage_run
from tests.counting.conftest import make_user

pytestmark = pytest.mark.django_db


def test_another_teams_user_sees_no_list_run_or_pair(three_lists, member, outsider):
    run = linkage_run(lists=three_lists, user=member, seed=1, config={"review_band": [0.3, 1.0]})
    pair = ReviewPair.objects.filter(run=run).first()
    assert set(lists_visible(viewer=viewer_for(member))) == set(three_lists)
    assert not lists_visible(viewer=viewer_for(outsider)).exists()
    for lookup, pk in (
        (list_get_for_user, three_lists[0].pk),
        (run_get_for_user, run.pk),
        (pair_get_for_user, pair.pk),
    ):
        with pytest.raises(Http404):
            lookup(viewer=viewer_for(outsider), pk=pk)


def test_a_read_only_member_sees_a_pair_but_may_not_decide_it(three_lists, member):
    run = linkage_run(lists=three_lists, user=member, seed=1, config={"review_band": [0.3, 1.0]})
    pair = ReviewPair.objects.filter(run=run).first()
    reader = make_user("reader", three_lists[0].team, role="readonly")
    assert pair_get_for_user(viewer=viewer_for(reader), pk=pair.pk) == pair
    with pytest.raises(PermissionDenied):
        pair_get_for_user(viewer=viewer_for(reader), pk=pair.pk, write=True)
