"""The pipeline on a real Redis Cluster (three masters): the same tests as on a single Redis,
collected here again with `redis_url` pointing at the cluster. Every script and transaction
must stay in one hash slot, and every other multi-key step must work across nodes."""

from __future__ import annotations

import pytest

from tests.bot.channels.test_webchat import (
    test_a_participant_completes_the_survey_with_buttons_and_text,
    test_a_resent_form_counts_once,
    test_coming_back_later_shows_the_conversation_in_order,
)
from tests.bot.channels.test_webchat_buttons import (
    test_still_concerned_lets_them_write_a_concern_that_lands_with_the_decision,
)
from tests.bot.commands.test_dead_letters import (
    deployment,
    test_an_event_that_cannot_be_read_is_parked_and_listed,
    test_list_shows_routing_facts_and_never_the_body,
    test_replayed_after_the_fix_it_is_processed_once_and_replaying_again_changes_nothing,
)
from tests.bot.commands.test_export import (
    test_csv_has_one_row_per_respondent_with_decrypted_text_in_survey_order,
)
from tests.bot.records.test_results import (
    test_a_breakdown_by_another_question_counts_those_who_did_not_answer_it,
    test_an_erasure_takes_the_participants_counts_away,
)
from tests.bot.records.test_snapshots import (
    test_a_crash_before_the_snapshot_loses_nobody_pending,
    test_closing_the_campaign_takes_a_final_snapshot,
    test_one_more_answer_does_not_move_the_figures_until_enough_people_answered,
)
from tests.bot.runtime.test_conversation import (
    test_the_goodbye_after_erasure_is_delivered_to_the_address_it_carries,
)
from tests.bot.runtime.test_faults import (
    test_a_form_sent_three_times_records_one_answer,
    test_entries_read_by_a_fenced_worker_are_not_stranded,
)
from tests.bot.runtime.test_leases import (
    test_a_dead_processs_shards_move_to_a_live_one_within_the_lease_lifetime,
)
from tests.bot.runtime.test_migrations import (
    test_a_claim_taken_before_the_upgrade_still_stops_a_second_send,
    test_a_message_stored_before_the_upgrade_and_delivered_again_counts_once,
    test_processes_migrating_at_once_move_each_key_exactly_once,
)
from tests.bot.runtime.test_pipeline import (
    test_a_full_survey_is_recorded_once_with_counters,
    test_a_participants_markers_share_one_expiring_set,
    test_a_replayed_stream_entry_changes_nothing,
    test_a_worker_that_died_mid_batch_is_taken_over_and_nothing_is_recorded_twice,
    test_answers_are_recorded_after_redis_forgot_its_scripts,
    test_the_same_platform_message_delivered_three_times_counts_once,
)
from tests.bot.runtime.test_result_migration import (
    test_the_migration_counts_what_was_answered_before_it,
)
from tests.bot.runtime.test_retention import (
    test_past_retention_the_results_stay_and_everything_personal_goes,
    test_someone_who_saw_the_data_notice_but_never_started_is_erased_whole,
    test_the_loop_reports_contributors_and_theme_counts_stay,
)
from tests.bot.runtime.test_sender import (
    test_messages_for_a_channel_without_a_client_are_set_aside,
    test_replies_reach_the_participant_once_and_in_order,
)

__all__ = [
    "deployment",
    "test_a_breakdown_by_another_question_counts_those_who_did_not_answer_it",
    "test_a_claim_taken_before_the_upgrade_still_stops_a_second_send",
    "test_a_crash_before_the_snapshot_loses_nobody_pending",
    "test_a_dead_processs_shards_move_to_a_live_one_within_the_lease_lifetime",
    "test_a_form_sent_three_times_records_one_answer",
    "test_a_full_survey_is_recorded_once_with_counters",
    "test_a_message_stored_before_the_upgrade_and_delivered_again_counts_once",
    "test_a_participant_completes_the_survey_with_buttons_and_text",
    "test_a_participants_markers_share_one_expiring_set",
    "test_a_replayed_stream_entry_changes_nothing",
    "test_a_resent_form_counts_once",
    "test_a_worker_that_died_mid_batch_is_taken_over_and_nothing_is_recorded_twice",
    "test_an_erasure_takes_the_participants_counts_away",
    "test_an_event_that_cannot_be_read_is_parked_and_listed",
    "test_answers_are_recorded_after_redis_forgot_its_scripts",
    "test_closing_the_campaign_takes_a_final_snapshot",
    "test_coming_back_later_shows_the_conversation_in_order",
    "test_csv_has_one_row_per_respondent_with_decrypted_text_in_survey_order",
    "test_entries_read_by_a_fenced_worker_are_not_stranded",
    "test_list_shows_routing_facts_and_never_the_body",
    "test_messages_for_a_channel_without_a_client_are_set_aside",
    "test_one_more_answer_does_not_move_the_figures_until_enough_people_answered",
    "test_past_retention_the_results_stay_and_everything_personal_goes",
    "test_processes_migrating_at_once_move_each_key_exactly_once",
    "test_replayed_after_the_fix_it_is_processed_once_and_replaying_again_changes_nothing",
    "test_replies_reach_the_participant_once_and_in_order",
    "test_someone_who_saw_the_data_notice_but_never_started_is_erased_whole",
    "test_still_concerned_lets_them_write_a_concern_that_lands_with_the_decision",
    "test_the_goodbye_after_erasure_is_delivered_to_the_address_it_carries",
    "test_the_loop_reports_contributors_and_theme_counts_stay",
    "test_the_migration_counts_what_was_answered_before_it",
    "test_the_same_platform_message_delivered_three_times_counts_once",
]


@pytest.fixture
def redis_url(cluster_url: str) -> str:
    return cluster_url
