"""The organisation's loop report beside its campaigns' rows: a campaign's withheld count must
not be the total less the other campaigns' shown counts."""

from __future__ import annotations

from collections import Counter

from bot.api.operations.loop import shown_together
from bot.loop.report import LoopReport, Promise


def _report(cid: str, contributors: int, told: int, helpful: int) -> LoopReport:
    return LoopReport(
        campaign_id=cid,
        promise=Promise(cid, None, 1, False),
        contributors=contributors,
        told=told,
        median_days=None,
        decisions=[],
        owing_rationale=0,
        with_rationale=0,
        reactions=Counter({"helpful": helpful}),
    )


def test_a_small_campaign_is_not_given_away_by_the_organisations_total() -> None:
    whole, [small, big] = shown_together([_report("small", 3, 2, 1), _report("big", 50, 40, 20)], 5)

    assert (small.contributors, small.told, small.reactions.helpful) == (None, None, None)
    # Each measure: with the small row withheld, the total or the big row is withheld too.
    assert None in (whole.contributors, big.contributors)
    assert None in (whole.told, big.told)
    assert None in (whole.reactions.helpful, big.reactions.helpful)
    assert small.told_share is None


def test_campaigns_large_enough_are_all_shown_with_their_total() -> None:
    whole, rows = shown_together([_report("a", 20, 10, 6), _report("b", 30, 15, 7)], 5)

    assert [(row.contributors, row.told, row.reactions.helpful) for row in rows] == [
        (20, 10, 6),
        (30, 15, 7),
    ]
    assert (whole.contributors, whole.told, whole.reactions.helpful) == (50, 25, 13)
    assert whole.campaign_id == ""
    assert rows[0].told_share == 0.5


def test_one_campaign_alone_withholds_its_small_counts() -> None:
    [alone] = shown_together([_report("a", 12, 3, 0)], 5)[1]

    # Told 3 is small; not told (9) is withheld too, else 12 - 9 gives it away.
    assert (alone.contributors, alone.told, alone.told_share) == (12, None, None)
    assert alone.reactions.helpful == 0
