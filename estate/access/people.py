"""Who a person is, from the claims of the ID token their provider signed, and the role their
groups give them (`[auth.roles]`, highest wins). Pure: no I/O, tested on claim sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from estate.config import OidcSettings
from estate.status import Role

# Highest last: a person in an "assets" group and an "infra" group is assets.
ROLE_ORDER = (Role.VIEWER, Role.INFRA, Role.ASSETS, Role.ADMIN)


@dataclass(frozen=True)
class Person:
    """`name` is what the audit and the change log record: the email where there is one."""

    name: str
    subject: str
    groups: tuple[str, ...]


class Refused(Exception):
    """The provider vouched for someone estate does not let in; the message says why."""

    def __init__(self, message: str, who: str) -> None:
        super().__init__(message)
        self.who = who


def person_of(claims: Mapping[str, Any], oidc: OidcSettings) -> Person:
    """The person the claims describe, or Refused when their domain is not allowed."""
    subject = str(claims["sub"])
    email = claims.get("email") or claims.get("preferred_username")
    name = str(email) if isinstance(email, str) and email.strip() else subject
    if oidc.allowed_domains:
        domain = name.rpartition("@")[2].casefold() if "@" in name else ""
        if domain not in oidc.allowed_domains:
            raise Refused(f"{name} is not an account of {', '.join(oidc.allowed_domains)}.", name)
    return Person(name, subject, _groups(claims.get(oidc.groups_claim)))


def _groups(value: Any) -> tuple[str, ...]:
    """A claim's groups: a list of ids or names, or one space-separated string."""
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(str(group) for group in value if isinstance(group, str | int))
    return ()


def role_for(person: Person, mapping: Mapping[str, Role]) -> Role:
    """The highest role any of the person's groups is mapped to; Refused if none is."""
    found = {mapping[group] for group in person.groups if group in mapping}
    if not found:
        raise Refused(
            f"You are signed in as {person.name}, but none of your groups is given a role in "
            "estate. Ask the estate administrators to add one of your groups.",
            person.name,
        )
    return max(found, key=ROLE_ORDER.index)
