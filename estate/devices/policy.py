"""The replacement policy: when each device falls due, and why.

`evaluate` is pure (facts, policy, today -> decision) so every rule is tested on a table of
hand-computed cases; `estate.devices.store` runs it over the devices table in batches.
Rules, each giving a date: lifespan by device type from the purchase date (or, lacking one,
the Intune enrolment date), warranty end, OS end of support, Windows 11 hardware readiness
(a Windows 10 device whose data shows it cannot take Windows 11), and staleness (no source has
seen it for `stale_days`). The earliest date wins; a person's override date beats them all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, get_args

from estate.config import ReplacementSettings
from estate.devices.lifecycle import LifecycleTable, load_lifecycle, parse_windows
from estate.devices.processors import lists_fingerprint, windows11_processor
from estate.status import DeviceType, ReplacementRule

WINDOWS_11_REQUIREMENTS = (
    "https://learn.microsoft.com/en-us/windows/whats-new/windows-11-requirements"
)
# Rule order breaks ties between reasons with the same date.
RULES: tuple[str, ...] = get_args(ReplacementRule)
# Bump when a rule's logic changes: the next refresh then re-evaluates every device.
RULES_VERSION = 2  # 2: the processor (cpu_model) joins Windows 11 readiness
RULE_RANK = {rule: rank for rank, rule in enumerate(RULES)}
WARRANTY_DETAIL = "warranty ends"
OVERRIDE_DETAIL = "replacement date set by a person"


@dataclass(frozen=True)
class Policy:
    settings: ReplacementSettings
    lifecycle: LifecycleTable

    @classmethod
    def from_settings(cls, settings: ReplacementSettings | None = None) -> Policy:
        settings = settings or ReplacementSettings()
        return cls(settings, load_lifecycle(settings.lifecycle))

    def fingerprint(self) -> str:
        """Changes when anything the rules read of the settings, the lifecycle table or the
        processor lists does."""
        settings = self.settings.model_dump(
            mode="json", exclude={"unit_costs", "batch_size", "lifecycle"}
        )
        facts = sorted(
            json.dumps(fact.model_dump(mode="json"), sort_keys=True)
            for fact in self.lifecycle.facts
        )
        text = json.dumps([RULES_VERSION, settings, facts, lists_fingerprint()], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """What the policy reads of one device (the devices table's columns of the same names)."""

    device_type: DeviceType | str | None = None
    purchased_on: date | None = None
    enrolled_at: datetime | None = None
    warranty_expires_on: date | None = None
    os_name: str | None = None
    os_version: str | None = None
    model: str | None = None
    memory_gb: float | None = None
    storage_gb: float | None = None
    tpm_version: str | None = None
    last_seen_at: datetime | None = None
    replacement_override_on: date | None = None
    disposed_on: date | None = None
    cpu_model: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    due_on: date
    detail: str
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "due_on": self.due_on.isoformat(),
            "detail": self.detail,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    due_on: date | None
    reasons: tuple[Reason, ...]
    explicit: bool = False
    # Whether the hardware can take Windows 11 (see windows11_ready); kept beside the dates.
    windows11_ready: bool | None = None

    def reasons_json(self) -> list[dict[str, Any]]:
        return [reason.to_json() for reason in self.reasons]


def add_years(start: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def evaluate(facts: DeviceFacts, policy: Policy, today: date) -> Decision:
    """Every rule that gives this device a date, earliest first; the override wins outright."""
    return Evaluator(policy, today).decide(facts)


# A reason with its sort key (date, then rule order) and its JSON text, made once.
Part = tuple[tuple[date, int], Reason, str]


def _part(reason: Reason) -> Part:
    return (reason.due_on, RULE_RANK[reason.rule]), reason, json.dumps(reason.to_json())


class Evaluator:
    """`evaluate` for a fleet: each rule's reasons are kept per the facts that rule reads (a
    fleet repeats a few thousand purchase dates and a few dozen OS strings many thousand times),
    each with its JSON text, so a device costs a few lookups and a sort of its reasons."""

    def __init__(self, policy: Policy, today: date) -> None:
        self.policy, self.today = policy, today
        self._lifespan: dict[tuple[Any, ...], list[Part]] = {}
        self._os: dict[tuple[Any, ...], list[Part]] = {}
        self._stale: dict[date, list[Part]] = {}
        self._ready: dict[tuple[Any, ...], bool | None] = {}
        self._dated: dict[tuple[str, date], Part] = {}

    def decide(self, facts: DeviceFacts) -> Decision:
        return self.decide_with_text(facts)[0]

    def decide_with_text(self, facts: DeviceFacts) -> tuple[Decision, str]:
        """The decision and json.dumps(decision.reasons_json())."""
        if facts.disposed_on is not None:
            return Decision(None, ()), "[]"
        parts = self._lifespan_of(facts) + self._os_of(facts)
        if facts.warranty_expires_on is not None:
            parts.append(self._dated_part("warranty", facts.warranty_expires_on))
        if facts.last_seen_at is not None:
            parts += self._stale_of(facts)
        if len(parts) > 1:
            parts.sort(key=_sort_key)
        override = facts.replacement_override_on
        if override is not None:
            parts.insert(0, self._dated_part("override", override))
        reasons = tuple(part[1] for part in parts)
        text = "[" + ", ".join(part[2] for part in parts) + "]"
        ready = self._ready_of(facts)
        if override is not None:
            return Decision(override, reasons, explicit=True, windows11_ready=ready), text
        due = reasons[0].due_on if reasons else None
        return Decision(due, reasons, windows11_ready=ready), text

    def _ready_of(self, facts: DeviceFacts) -> bool | None:
        key = _hardware_key(facts)
        try:
            return self._ready[key]
        except KeyError:
            found = self._ready[key] = windows11_ready(facts, self.policy.settings)
            return found

    def _lifespan_of(self, facts: DeviceFacts) -> list[Part]:
        enrolled = facts.enrolled_at.date() if facts.enrolled_at is not None else None
        key = (facts.device_type, facts.purchased_on, None if facts.purchased_on else enrolled)
        found = self._lifespan.get(key)
        if found is None:
            reasons = _lifespan(facts, self.policy, self.today)
            found = self._lifespan[key] = [_part(r) for r in reasons]
        return found

    def _os_of(self, facts: DeviceFacts) -> list[Part]:
        key = (facts.model, *_hardware_key(facts))
        found = self._os.get(key)
        if found is None:
            reasons = _os_and_readiness(facts, self.policy, self.today)
            found = self._os[key] = [_part(r) for r in reasons]
        return found

    def _stale_of(self, facts: DeviceFacts) -> list[Part]:
        assert facts.last_seen_at is not None
        key = facts.last_seen_at.date()
        found = self._stale.get(key)
        if found is None:
            reasons = _stale(facts, self.policy, self.today)
            found = self._stale[key] = [_part(r) for r in reasons]
        return found

    def _dated_part(self, rule: str, on: date) -> Part:
        found = self._dated.get((rule, on))
        if found is None:
            detail = WARRANTY_DETAIL if rule == "warranty" else OVERRIDE_DETAIL
            found = self._dated[(rule, on)] = _part(Reason(rule, on, detail))
        return found


def _hardware_key(facts: DeviceFacts) -> tuple[Any, ...]:
    return (facts.os_name, facts.os_version, facts.memory_gb, facts.storage_gb,
            facts.tpm_version, facts.cpu_model)  # fmt: skip


def windows11_ready(facts: DeviceFacts, settings: ReplacementSettings) -> bool | None:
    """False when the data shows the device below a Windows 11 minimum (an unsupported
    processor, too little memory or storage, no TPM 2.0); True when its processor is on
    Microsoft's lists and nothing known falls short; None otherwise, and for a device whose OS
    is known and not Windows (a Mac or a phone is not waiting for Windows 11)."""
    if facts.os_name is not None and parse_windows(facts.os_name, facts.os_version) is None:
        return None
    if _windows_11_shortfalls(facts, settings):
        return False
    return True if windows11_processor(facts.cpu_model).supported else None


def _sort_key(part: Part) -> tuple[date, int]:
    return part[0]


def _lifespan(facts: DeviceFacts, policy: Policy, today: date) -> list[Reason]:
    if facts.device_type is None:
        return []
    kind = DeviceType(facts.device_type)
    years = policy.settings.lifespan_years[kind]
    if facts.purchased_on is not None:
        start, what = facts.purchased_on, "purchased"
    elif facts.enrolled_at is not None and policy.settings.lifespan_from_enrolment:
        start, what = facts.enrolled_at.date(), "enrolled (no purchase date)"
    else:
        return []
    detail = f"{kind.value} {what} {start.isoformat()}; lifespan {years} years"
    return [Reason("lifespan", add_years(start, years), detail)]


def _os_and_readiness(facts: DeviceFacts, policy: Policy, today: date) -> list[Reason]:
    end = policy.lifecycle.end_of_support(
        facts.os_name, facts.os_version, facts.model, policy.settings.windows_edition
    )
    if end is None:
        return []
    estimated = " (estimated)" if end.estimated else ""
    reasons = [
        Reason("os-end-of-support", end.ends_on, f"{end.label} support ends{estimated}", end.source)
    ]
    windows = parse_windows(facts.os_name, facts.os_version)
    shortfalls = _windows_11_shortfalls(facts, policy.settings)
    if windows is not None and windows.product == "10" and shortfalls:
        detail = "cannot take Windows 11: " + ", ".join(shortfalls)
        reasons.append(Reason("windows-11-hardware", end.ends_on, detail, WINDOWS_11_REQUIREMENTS))
    return reasons


def _windows_11_shortfalls(facts: DeviceFacts, settings: ReplacementSettings) -> list[str]:
    """Windows 11's minimums the data shows this device misses; unknown facts miss nothing."""
    shortfalls = []
    if facts.memory_gb is not None and facts.memory_gb < settings.windows11_min_memory_gb:
        shortfalls.append(f"memory {facts.memory_gb:g} GB < {settings.windows11_min_memory_gb:g}")
    if facts.storage_gb is not None and facts.storage_gb < settings.windows11_min_storage_gb:
        shortfalls.append(
            f"storage {facts.storage_gb:g} GB < {settings.windows11_min_storage_gb:g}"
        )
    tpm = _tpm_major(facts.tpm_version)
    if tpm is not None and tpm < 2:
        shortfalls.append(f"TPM {facts.tpm_version} < 2.0")
    processor = windows11_processor(facts.cpu_model)
    if processor.supported is False:
        shortfalls.append(processor.detail)
    return shortfalls


def _tpm_major(version: str | None) -> float | None:
    if version is None or not version.strip():
        return None
    text = version.strip().casefold()
    if text in ("none", "absent", "not present", "no"):
        return 0.0
    try:
        return float(text.split()[0])
    except ValueError:
        return None


def _stale(facts: DeviceFacts, policy: Policy, today: date) -> list[Reason]:
    days = policy.settings.stale_days
    if not days or facts.last_seen_at is None:
        return []
    seen = facts.last_seen_at.date()
    # Only a device already unseen for the whole period is stale: a future "stale on" date
    # for a device seen yesterday would only be noise in the forecast.
    if (today - seen).days < days:
        return []
    return [Reason("stale", seen + timedelta(days=days), f"no source has seen it since {seen}")]
