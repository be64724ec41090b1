"""Figures' links in an answer as at a day, as the live answer of that day gave them."""

from __future__ import annotations

from datetime import date
from typing import Any


def live_links(answer: Any, day: date) -> Any:
    """The answer with the `as_at` of that day taken off its figures' links: read on the day,
    the same figures linked to the live lists (links to earlier days keep their `as_at`)."""
    if isinstance(answer, list):
        return [live_links(item, day) for item in answer]
    if not isinstance(answer, dict):
        return answer
    found = {k: live_links(v, day) for k, v in answer.items()}
    links = answer.get("links")
    if isinstance(links, dict) and all(isinstance(v, str) for v in links.values()):
        suffix = f"as_at={day}"
        found["links"] = {
            k: v.removesuffix(suffix).rstrip("?&") if v.endswith(suffix) else v
            for k, v in links.items()
        }
    return found
