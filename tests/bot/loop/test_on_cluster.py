"""Loop closure on a real Redis Cluster (three masters): the same tests as on a single Redis,
collected here again with `redis_url` pointing at the cluster. Planning, feeding, scheduling
and the grievance desk run scripts that stay in one shard's hash slot."""

from __future__ import annotations

import pytest

from tests.bot.loop.test_crash import (
    test_killing_the_publisher_and_the_sender_mid_publication_sends_each_notice_once,
)
from tests.bot.loop.test_grievances import (
    test_each_step_of_a_case_reaches_the_participant_in_their_language,
)
from tests.bot.loop.test_pacing import (
    test_a_notice_published_at_night_goes_out_in_the_morning,
)
from tests.bot.loop.test_publish import (
    test_a_decision_reaches_exactly_the_consenting_reachable_people_it_is_linked_to,
)
from tests.bot.loop.test_reactions import (
    test_a_still_concerned_reply_lands_with_the_decision,
    test_my_data_lists_the_decisions_linked_to_their_answers,
)
from tests.bot.loop.test_rules import test_the_planner_and_python_link_the_same_participants

__all__ = [
    "test_a_decision_reaches_exactly_the_consenting_reachable_people_it_is_linked_to",
    "test_a_notice_published_at_night_goes_out_in_the_morning",
    "test_a_still_concerned_reply_lands_with_the_decision",
    "test_each_step_of_a_case_reaches_the_participant_in_their_language",
    "test_killing_the_publisher_and_the_sender_mid_publication_sends_each_notice_once",
    "test_my_data_lists_the_decisions_linked_to_their_answers",
    "test_the_planner_and_python_link_the_same_participants",
]


@pytest.fixture
def redis_url(cluster_url: str) -> str:
    return cluster_url
