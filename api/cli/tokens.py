"""`estate token`: create, list and revoke API tokens. Each creation and revocation is an
access event, with a request id of its own and the operating-system user as who."""

from __future__ import annotations

import getpass
import uuid
from typing import Annotated

import typer
from rich.table import Table

from api.cli.app import err, out, ready_engine, state, token_app
from estate.access import events
from estate.access.tokens import TokenError, create_token, expiry_after, list_tokens, revoke_token
from estate.db import session_scope
from estate.history.changelog import Actor
from estate.models.base import utcnow
from estate.status import AccessEventKind, Role


def _cli_actor() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in a container
        user = "unknown"
    return Actor(f"cli:{user}", uuid.uuid4().hex)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses it (recorded on changes).")],
    role: Annotated[Role, typer.Option("--role", help="viewer, infra, assets or admin.")],
    expires_in: Annotated[
        str | None,
        typer.Option("--expires-in", help="Lifetime: 30d, 12h or 45m; none: never expires."),
    ] = None,
) -> None:
    """Create a token and print it once: only its hash is stored."""
    settings = state.settings()
    try:
        expires_at = None
        if expires_in is not None:
            expires_at = expiry_after(expires_in, settings.access.token_max_days, utcnow())
        with session_scope(ready_engine(settings)) as session:
            token = create_token(session, name, role, expires_at)
            detail = f"expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "no expiry"
            events.record(
                session,
                AccessEventKind.TOKEN_CREATED,
                _cli_actor(),
                role=role,
                detail=f"{name}: {detail}",
            )
    except TokenError as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    out.print(token, highlight=False)
    err.print("Store it now: it cannot be shown again.")


@token_app.command("list")
def token_list() -> None:
    """Tokens by name, with role, expiry and last use; never the tokens themselves."""
    table = Table("name", "role", "created", "expires", "last used", "revoked")
    settings = state.settings()
    with session_scope(ready_engine(settings)) as session:
        for token in list_tokens(session):
            table.add_row(
                token.name,
                token.role,
                f"{token.created_at:%Y-%m-%d %H:%M}",
                f"{token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else "never",
                f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never",
                f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "",
            )
    out.print(table)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token at once; it stays listed, revoked."""
    settings = state.settings()
    try:
        with session_scope(ready_engine(settings)) as session:
            revoke_token(session, name)
            events.record(session, AccessEventKind.TOKEN_REVOKED, _cli_actor(), detail=name)
    except TokenError as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    out.print(f"revoked {name}")
