"""The one permission check. Every entry point — the JSON API, the console's pages, the CLI —
turns whoever is asking into a `Principal` and asks `authorize` before it reads or changes
anything of an organisation.

A principal acts in exactly one organisation. Something of another organisation is answered as
if it did not exist (`NotFoundError`), so ids cannot be probed across tenants; a permission the
principal lacks is `ForbiddenError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.access.roles import Permission, Role, permissions_of


class AccessDeniedError(Exception):
    """Base of the two refusals."""


class ForbiddenError(AccessDeniedError):
    """The principal may not do this in its organisation."""

    def __init__(self, principal: Principal, permission: Permission) -> None:
        super().__init__(f"{principal.actor} lacks {permission.value} in '{principal.org}'")
        self.permission = permission


class NotFoundError(AccessDeniedError):
    """No such thing in the principal's organisation (whether it exists elsewhere is not said)."""


OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking, in which organisation, with which permissions, from where.

    `actor` is what the audit log records: `staff:<email>`, `token:<token id>` or `operator`
    (whoever runs the CLI on the server)."""

    actor: str
    org: str
    role: Role | None  # None: the operator, who holds every permission
    address: str | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset(Permission) if self.role is None else permissions_of(self.role)

    @classmethod
    def operator(cls, org: str) -> Principal:
        return cls(actor=OPERATOR, org=org, role=None)

    @classmethod
    def staff(cls, email: str, org: str, role: Role, address: str | None = None) -> Principal:
        return cls(actor=f"staff:{email}", org=org, role=role, address=address)

    @classmethod
    def token(cls, token_id: str, org: str, role: Role, address: str | None = None) -> Principal:
        return cls(actor=f"token:{token_id}", org=org, role=role, address=address)


def can(principal: Principal, permission: Permission) -> bool:
    return permission in principal.permissions


def authorize(principal: Principal, permission: Permission, *, owner: str | None = None) -> None:
    """Raise unless `principal` holds `permission`, and — when the thing acted on belongs to an
    organisation (`owner`) — acts in that organisation. The organisation is checked first: a
    stranger learns nothing, not even that the permission would have been missing."""
    if owner is not None and owner != principal.org:
        raise NotFoundError(f"nothing of that name in '{principal.org}'")
    if permission not in principal.permissions:
        raise ForbiddenError(principal, permission)
