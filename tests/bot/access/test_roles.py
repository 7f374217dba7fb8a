"""The access policy: what each role may do, as an engagement team would expect it."""

from __future__ import annotations

import pytest

from bot.access.permissions import (
    ForbiddenError,
    NotFoundError,
    Principal,
    authorize,
    can,
)
from bot.access.roles import Permission, Role, parse_role, reads_personal_data, within

P = Permission


def test_a_viewer_sees_aggregates_only() -> None:
    viewer = Principal.staff("v@example.org", "acme", Role.VIEWER)
    assert can(viewer, P.RESULTS_READ)
    assert can(viewer, P.LOOP_READ)
    for personal in (P.RESPONSES_READ, P.EXPORTS_CREATE, P.CASES_READ, P.AUDIT_READ):
        assert not can(viewer, personal)


def test_an_analyst_reads_responses_but_neither_publishes_nor_manages_staff() -> None:
    analyst = Principal.staff("a@example.org", "acme", Role.ANALYST)
    assert can(analyst, P.RESPONSES_READ)
    assert can(analyst, P.DECISIONS_DRAFT)
    assert not can(analyst, P.DECISIONS_PUBLISH)
    assert not can(analyst, P.STAFF_MANAGE)
    assert not can(analyst, P.CASES_STEP)


def test_a_caseworker_works_cases_and_sees_no_results() -> None:
    caseworker = Principal.staff("c@example.org", "acme", Role.CASEWORKER)
    assert can(caseworker, P.CASES_READ)
    assert can(caseworker, P.CASES_STEP)
    assert not can(caseworker, P.RESULTS_READ)
    assert not can(caseworker, P.RESPONSES_READ)


def test_an_admin_and_the_operator_may_do_everything() -> None:
    for principal in (
        Principal.staff("boss@example.org", "acme", Role.ADMIN),
        Principal.operator("acme"),
    ):
        assert all(can(principal, permission) for permission in Permission)


def test_another_organisations_thing_is_not_found_even_for_its_admin() -> None:
    admin = Principal.staff("boss@example.org", "acme", Role.ADMIN)
    with pytest.raises(NotFoundError):
        authorize(admin, P.RESULTS_READ, owner="globex")
    authorize(admin, P.RESULTS_READ, owner="acme")


def test_a_missing_permission_is_forbidden_and_names_it() -> None:
    viewer = Principal.staff("v@example.org", "acme", Role.VIEWER)
    with pytest.raises(ForbiddenError, match="responses:read"):
        authorize(viewer, P.RESPONSES_READ, owner="acme")


def test_roles_that_read_personal_data_need_a_second_factor() -> None:
    assert {role for role in Role if reads_personal_data(role)} == {
        Role.ANALYST,
        Role.CASEWORKER,
        Role.ADMIN,
    }


def test_a_token_role_within_its_owners_role() -> None:
    assert within(Role.VIEWER, Role.ANALYST)
    assert within(Role.ANALYST, Role.ADMIN)
    assert not within(Role.ANALYST, Role.VIEWER)
    # Not a ladder: neither of these grants the other's work.
    assert not within(Role.CASEWORKER, Role.ANALYST)
    assert not within(Role.ANALYST, Role.CASEWORKER)


def test_role_names_are_read_forgivingly_and_refused_clearly() -> None:
    assert parse_role(" Admin ") is Role.ADMIN
    with pytest.raises(ValueError, match="roles are viewer, analyst, caseworker, admin"):
        parse_role("owner")
