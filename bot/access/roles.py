"""Roles and the permissions each one carries: the whole access policy, in one table.

A role is a set of permissions; nothing else in Sauti asks "is this an admin?". Every entry
point asks for a permission (`bot.access.permissions.authorize`), so a new endpoint needs a
rule here before anyone can use it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    CASEWORKER = "caseworker"
    ADMIN = "admin"


class Permission(StrEnum):
    # Aggregates only: what a viewer sees.
    CAMPAIGNS_READ = "campaigns:read"
    RESULTS_READ = "results:read"  # aggregate results, small cells suppressed
    LOOP_READ = "loop:read"  # loop reports, decisions and their progress
    # Personal-level data: individual responses, free text, exports.
    RESPONSES_READ = "responses:read"
    THEMES_WRITE = "themes:write"
    DECISIONS_DRAFT = "decisions:draft"  # create and preview
    PANEL_READ = "panel:read"  # the panel's counts and invitation previews, suppressed
    EXPORTS_CREATE = "exports:create"
    # The grievance desk.
    CASES_READ = "cases:read"
    CASES_STEP = "cases:step"  # step a case, which messages the participant
    # Running the organisation.
    DECISIONS_PUBLISH = "decisions:publish"
    CAMPAIGNS_MANAGE = "campaigns:manage"  # load, open, close
    PANEL_INVITE = "panel:invite"  # invite panel members to a campaign (messages them)
    STAFF_MANAGE = "staff:manage"  # staff, their roles, anyone's tokens
    AUDIT_READ = "audit:read"


_VIEWER = frozenset({Permission.CAMPAIGNS_READ, Permission.RESULTS_READ, Permission.LOOP_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.ANALYST: _VIEWER
    | {
        Permission.RESPONSES_READ,
        Permission.THEMES_WRITE,
        Permission.DECISIONS_DRAFT,
        Permission.EXPORTS_CREATE,
        Permission.PANEL_READ,
    },
    # A caseworker sees which campaigns exist (a case names one), not their results.
    Role.CASEWORKER: frozenset(
        {Permission.CAMPAIGNS_READ, Permission.CASES_READ, Permission.CASES_STEP}
    ),
    Role.ADMIN: frozenset(Permission),
}

# Permissions that show something about one person: a role holding any of them must sign in
# with a second factor.
PERSONAL_DATA = frozenset(
    {
        Permission.RESPONSES_READ,
        Permission.EXPORTS_CREATE,
        Permission.CASES_READ,
        Permission.CASES_STEP,
    }
)


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]


def reads_personal_data(role: Role) -> bool:
    """Whether the role needs a second factor to sign in."""
    return bool(ROLE_PERMISSIONS[role] & PERSONAL_DATA)


def within(role: Role, ceiling: Role) -> bool:
    """Whether `role` grants nothing `ceiling` does not (a token carries at most its owner's
    role). Roles are not a ladder: a caseworker is not within an analyst, nor the reverse."""
    return ROLE_PERMISSIONS[role] <= ROLE_PERMISSIONS[ceiling]


def parse_role(text: str) -> Role:
    """A role by name; ValueError naming the roles there are."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise ValueError(f"no role '{text}': roles are {names}") from None
