"""Rendering a page: the shared layout's context, number formats, and the headers every page
carries (its server time, a strict content policy, no caching of role-dependent pages)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from api.web.session import settings_of
from estate.access.sessions import SignedIn
from estate.outbox.reports.base import local_time, templates_in

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
NAV = (
    ("/migration", "Migration"),
    ("/outcomes", "Outcomes"),
    ("/hosting", "Hosting"),
    ("/decommission", "Decommission"),
    ("/devices", "Devices"),
    ("/scans", "Scans"),
    ("/tokens", "API tokens"),
)
# No script runs on these pages and nothing is framed: the policy says so.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# An en dash for "no figure": read out as "dash", not mistaken for a minus.
NONE = "\u2013"


@dataclass(frozen=True)
class FieldError:
    """A problem with what was sent; `field` is the id of the control it is about."""

    message: str
    field: str | None = None


def count(value: int | float | None) -> str:
    return NONE if value is None else f"{value:,.0f}"


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}%"


def kilowatts(watts: float | None) -> str:
    return NONE if watts is None else f"{watts / 1000:,.1f}"


def pounds(value: float | None) -> str:
    return NONE if value is None else f"£{value:,.0f}"


def tonnes(value: float | None) -> str:
    return NONE if value is None else f"{value:,.1f}"


def day(value: date | None) -> str:
    return "" if value is None else f"{value:%d %b %Y}"


_environment = templates_in(TEMPLATES)
_environment.filters.update(
    count=count, percent=percent, kw=kilowatts, pounds=pounds, tonnes=tonnes, day=day
)


async def started(request: Request) -> None:
    """A router dependency: the clock for the page's Server-Timing starts here."""
    request.state.page_started = time.perf_counter()


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: SignedIn | None,
    status_code: int = 200,
) -> Response:
    settings = settings_of(request)

    def when(value: datetime | None) -> str:
        return local_time(value, settings)

    page = {
        "user": user,
        "nav": NAV,
        "section": "",
        "errors": [],
        "notice": None,
        "when": when,
        **context,
    }
    html = _environment.get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code, headers=HEADERS)
    began = getattr(request.state, "page_started", None)
    if began is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.1f}"
    return response
