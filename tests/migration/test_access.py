"""Every migration endpoint: 401 without a token or with a bad one, 403 for a role that may
not; viewers read, infra edits plans, assets reviews and completes decommissions."""

from __future__ import annotations

import re

import pytest

from api.app import create_app
from estate.config import Settings
from estate.status import Role
from tests.api.conftest import MakeClient

TAGS = {"plans", "migration", "decommission", "sites"}
EDIT = {Role.INFRA, Role.ADMIN}
DECOMMISSION = {Role.ASSETS, Role.ADMIN}
WRITES = {
    ("post", "/api/v1/applications"): EDIT,
    ("patch", "/api/v1/applications/{app_id}"): EDIT,
    ("post", "/api/v1/waves"): EDIT,
    ("patch", "/api/v1/waves/{wave_id}"): EDIT,
    ("patch", "/api/v1/servers/{server_id}"): EDIT,
    ("post", "/api/v1/assignments"): EDIT,
    ("post", "/api/v1/assignments/csv"): EDIT,
    ("post", "/api/v1/progress/snapshots"): EDIT,
    ("post", "/api/v1/decommission/{server_id}/review"): DECOMMISSION,
    ("post", "/api/v1/decommission/{server_id}/complete"): DECOMMISSION,
}


def operations(settings: Settings) -> list[tuple[str, str]]:
    paths = create_app(settings).openapi()["paths"]
    return sorted(
        (method, path)
        for path, methods in paths.items()
        for method, operation in methods.items()
        if TAGS & set(operation.get("tags", []))
    )


def concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


def test_the_writes_listed_here_are_all_the_writes(settings: Settings) -> None:
    writes = {(m, p) for m, p in operations(settings) if m != "get"}

    assert writes == set(WRITES)
    assert len(operations(settings)) == 22  # 20, and GET /outcomes and /sites/{id}/forecast


def test_no_token_or_a_bad_one_is_401_everywhere(
    make_client: MakeClient, settings: Settings
) -> None:
    anonymous, wrong = make_client(None), make_client(None)
    wrong.headers["Authorization"] = "Bearer estate_not-a-real-token"

    answers = {
        (method, path, who): client.request(method, concrete(path), json={}).status_code
        for method, path in operations(settings)
        for who, client in (("anonymous", anonymous), ("wrong", wrong))
    }

    assert set(answers.values()) == {401}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_do_what_it_is_granted_and_no_more(
    make_client: MakeClient, settings: Settings, role: Role
) -> None:
    client = make_client(role)

    answers = {
        (method, path): client.request(method, concrete(path), json={}).status_code
        for method, path in operations(settings)
    }

    forbidden = {op for op, code in answers.items() if code == 403}
    assert forbidden == {op for op, roles in WRITES.items() if role not in roles}
    assert 401 not in answers.values()
