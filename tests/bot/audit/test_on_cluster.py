"""The audit log on a real Redis Cluster (three masters): the append script and the verifying
transaction stay in the organisation's hash slot."""

from __future__ import annotations

import pytest

from tests.bot.audit.test_log import (
    test_appends_racing_without_the_lock_are_kept_in_one_chain_by_the_script,
    test_entries_come_back_in_order_with_the_facts_given_and_the_chain_is_intact,
    test_pages_return_every_entry_exactly_once,
)
from tests.bot.audit.test_tampering import test_a_removed_entry_is_found_at_the_entry_after_it

__all__ = [
    "test_a_removed_entry_is_found_at_the_entry_after_it",
    "test_appends_racing_without_the_lock_are_kept_in_one_chain_by_the_script",
    "test_entries_come_back_in_order_with_the_facts_given_and_the_chain_is_intact",
    "test_pages_return_every_entry_exactly_once",
]


@pytest.fixture
def redis_url(cluster_url: str) -> str:
    return cluster_url
