"""The replacement policy against hand-computed cases (today is 2026-11-25 throughout)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from estate.config import ReplacementSettings
from estate.devices.policy import DeviceFacts, Evaluator, Policy, add_years, evaluate
from estate.status import DeviceType

TODAY = date(2026, 11, 25)
DEFAULT = Policy.from_settings()
NO_ENROLMENT = Policy.from_settings(ReplacementSettings(lifespan_from_enrolment=False))
CONSUMER = Policy.from_settings(ReplacementSettings(windows_edition="consumer"))
NO_STALE = Policy.from_settings(ReplacementSettings(stale_days=None))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (id, facts, policy, expected due date, expected [(rule, due_on)], explicit)
CASES: list[tuple[str, dict[str, Any], Policy, date | None, list[tuple[str, date]], bool]] = [
    ("laptop-4y", dict(device_type="laptop", purchased_on=date(2022, 6, 15)), DEFAULT,
     date(2026, 6, 15), [("lifespan", date(2026, 6, 15))], False),
    ("leap-day-to-leap-year", dict(device_type="laptop", purchased_on=date(2020, 2, 29)), DEFAULT,
     date(2024, 2, 29), [("lifespan", date(2024, 2, 29))], False),
    ("leap-day-to-common-year", dict(device_type="tablet", purchased_on=date(2020, 2, 29)),
     DEFAULT, date(2023, 2, 28), [("lifespan", date(2023, 2, 28))], False),
    ("leap-day-desktop-5y", dict(device_type="desktop", purchased_on=date(2024, 2, 29)), DEFAULT,
     date(2029, 2, 28), [("lifespan", date(2029, 2, 28))], False),
    ("thin-client-7y", dict(device_type="thin-client", purchased_on=date(2019, 3, 1)), DEFAULT,
     date(2026, 3, 1), [("lifespan", date(2026, 3, 1))], False),
    ("phone-3y", dict(device_type="phone", purchased_on=date(2023, 12, 31)), DEFAULT,
     date(2026, 12, 31), [("lifespan", date(2026, 12, 31))], False),
    ("no-purchase-no-enrolment", dict(device_type="laptop"), DEFAULT, None, [], False),
    ("no-purchase-enrolled", dict(device_type="laptop", enrolled_at=at("2023-10-02T09:30:00")),
     DEFAULT, date(2027, 10, 2), [("lifespan", date(2027, 10, 2))], False),
    ("no-purchase-enrolment-off",
     dict(device_type="laptop", enrolled_at=at("2023-10-02T09:30:00")), NO_ENROLMENT,
     None, [], False),
    ("no-type", dict(purchased_on=date(2020, 1, 1)), DEFAULT, None, [], False),
    ("warranty-only", dict(warranty_expires_on=date(2027, 3, 31)), DEFAULT,
     date(2027, 3, 31), [("warranty", date(2027, 3, 31))], False),
    ("warranty-before-lifespan",
     dict(device_type="laptop", purchased_on=date(2023, 5, 1),
          warranty_expires_on=date(2026, 4, 30)), DEFAULT,
     date(2026, 4, 30), [("warranty", date(2026, 4, 30)), ("lifespan", date(2027, 5, 1))], False),
    ("win10-22h2-intune",
     dict(device_type="desktop", purchased_on=date(2022, 1, 10), os_name="Windows",
          os_version="10.0.19045.5131"), DEFAULT,
     date(2025, 10, 14),
     [("os-end-of-support", date(2025, 10, 14)), ("lifespan", date(2027, 1, 10))], False),
    ("win10-cannot-take-win11-memory",
     dict(os_name="Windows", os_version="10.0.19045.5131", memory_gb=2.0), DEFAULT,
     date(2025, 10, 14),
     [("os-end-of-support", date(2025, 10, 14)), ("windows-11-hardware", date(2025, 10, 14))],
     False),
    ("win10-cannot-take-win11-tpm-storage",
     dict(os_name="Windows 10 Enterprise", os_version="10.0 (19045)", tpm_version="1.2",
          storage_gb=32.0, memory_gb=8.0), DEFAULT,
     date(2025, 10, 14),
     [("os-end-of-support", date(2025, 10, 14)), ("windows-11-hardware", date(2025, 10, 14))],
     False),
    ("win11-low-memory-no-readiness-rule",
     dict(os_name="Windows 11 Enterprise", os_version="10.0 (26100)", memory_gb=2.0), DEFAULT,
     date(2027, 10, 12), [("os-end-of-support", date(2027, 10, 12))], False),
    ("win10-21h2-pro-ad", dict(os_name="Windows 10 Pro", os_version="10.0 (19044)"), DEFAULT,
     date(2023, 6, 13), [("os-end-of-support", date(2023, 6, 13))], False),
    ("win11-23h2-enterprise-ad",
     dict(os_name="Windows 11 Enterprise", os_version="10.0 (22631)"), DEFAULT,
     date(2026, 11, 10), [("os-end-of-support", date(2026, 11, 10))], False),
    ("win11-24h2-edition-assumed", dict(os_name="Windows", os_version="10.0.26100.2314"),
     DEFAULT, date(2027, 10, 12), [("os-end-of-support", date(2027, 10, 12))], False),
    ("win11-24h2-consumer-assumed", dict(os_name="Windows", os_version="10.0.26100.2314"),
     CONSUMER, date(2026, 10, 13), [("os-end-of-support", date(2026, 10, 13))], False),
    ("win11-unknown-build", dict(os_name="Windows", os_version="10.0.22635.4440"), DEFAULT,
     None, [], False),
    ("win10-unknown-build-product-end",
     dict(os_name="Windows 10 Enterprise", os_version="10.0 (18363)"), DEFAULT,
     date(2025, 10, 14), [("os-end-of-support", date(2025, 10, 14))], False),
    ("windows-no-version", dict(os_name="Windows"), DEFAULT, None, [], False),
    ("unknown-os", dict(os_name="Linux", os_version="6.1.0"), DEFAULT, None, [], False),
    ("asset-register-release-name", dict(os_name="Windows 10 Pro", os_version="22H2"), DEFAULT,
     date(2025, 10, 14), [("os-end-of-support", date(2025, 10, 14))], False),
    ("win10-iot-ltsc-thin-client",
     dict(device_type="thin-client", purchased_on=date(2022, 6, 1),
          os_name="Windows 10 IoT Enterprise LTSC", os_version="10.0 (19044)"), DEFAULT,
     date(2029, 6, 1),
     [("lifespan", date(2029, 6, 1)), ("os-end-of-support", date(2032, 1, 13))], False),
    ("macos-13", dict(os_name="macOS", os_version="13.6.7"), DEFAULT,
     date(2025, 9, 15), [("os-end-of-support", date(2025, 9, 15))], False),
    ("macos-14-estimated", dict(os_name="macOS", os_version="14.5"), DEFAULT,
     date(2026, 9, 14), [("os-end-of-support", date(2026, 9, 14))], False),
    ("macos-10.15", dict(os_name="macOS", os_version="10.15.7"), DEFAULT,
     date(2022, 10, 24), [("os-end-of-support", date(2022, 10, 24))], False),
    ("macos-15-no-end-known", dict(os_name="macOS", os_version="15.1"), DEFAULT, None, [], False),
    ("chromeos-aue", dict(os_name="ChromeOS", os_version="130.0", model="Google Pixelbook Go"),
     DEFAULT, date(2026, 6, 1), [("os-end-of-support", date(2026, 6, 1))], False),
    ("chromeos-unknown-model", dict(os_name="ChromeOS", model="Acme Chromebook 1"), DEFAULT,
     None, [], False),
    ("tie-lifespan-before-os",
     dict(device_type="laptop", purchased_on=date(2021, 10, 14), os_name="Windows",
          os_version="10.0.19045.1"), DEFAULT,
     date(2025, 10, 14),
     [("lifespan", date(2025, 10, 14)), ("os-end-of-support", date(2025, 10, 14))], False),
    ("stale", dict(last_seen_at=at("2026-07-01T10:00:00")), DEFAULT,
     date(2026, 9, 29), [("stale", date(2026, 9, 29))], False),
    ("stale-exactly-90-days", dict(last_seen_at=at("2026-08-27T23:59:00")), DEFAULT,
     date(2026, 11, 25), [("stale", date(2026, 11, 25))], False),
    ("seen-recently", dict(last_seen_at=at("2026-10-01T10:00:00")), DEFAULT, None, [], False),
    ("stale-rule-off", dict(last_seen_at=at("2025-01-01T10:00:00")), NO_STALE, None, [], False),
    ("override-later-than-policy",
     dict(device_type="laptop", purchased_on=date(2020, 2, 29),
          replacement_override_on=date(2027, 1, 31)), DEFAULT,
     date(2027, 1, 31), [("override", date(2027, 1, 31)), ("lifespan", date(2024, 2, 29))], True),
    ("override-earlier-than-policy",
     dict(device_type="desktop", purchased_on=date(2025, 4, 1),
          replacement_override_on=date(2025, 1, 1)), DEFAULT,
     date(2025, 1, 1), [("override", date(2025, 1, 1)), ("lifespan", date(2030, 4, 1))], True),
    ("override-alone", dict(replacement_override_on=date(2028, 3, 31)), DEFAULT,
     date(2028, 3, 31), [("override", date(2028, 3, 31))], True),
    ("disposed", dict(device_type="laptop", purchased_on=date(2019, 1, 1),
                      replacement_override_on=date(2027, 1, 1), disposed_on=date(2026, 1, 5)),
     DEFAULT, None, [], False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "policy", "due_on", "reasons", "explicit"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decision_matches_hand_computed_case(
    facts: dict[str, Any],
    policy: Policy,
    due_on: date | None,
    reasons: list[tuple[str, date]],
    explicit: bool,
) -> None:
    decision = evaluate(DeviceFacts(**facts), policy, TODAY)

    assert decision.due_on == due_on
    assert [(r.rule, r.due_on) for r in decision.reasons] == reasons
    assert decision.explicit is explicit


def test_reasons_say_why_and_name_their_source() -> None:
    facts = DeviceFacts(
        device_type="laptop",
        purchased_on=date(2020, 2, 29),
        os_name="Windows",
        os_version="10.0.19045.5131",
        memory_gb=2.0,
        tpm_version="1.2",
    )

    reasons = evaluate(facts, DEFAULT, TODAY).reasons_json()

    assert reasons == [
        {
            "rule": "lifespan",
            "due_on": "2024-02-29",
            "detail": "laptop purchased 2020-02-29; lifespan 4 years",
            "source": None,
        },
        {
            "rule": "os-end-of-support",
            "due_on": "2025-10-14",
            "detail": "Windows 10 22H2 Enterprise/Education support ends",
            "source": "https://learn.microsoft.com/en-us/lifecycle/products/"
            "windows-10-enterprise-and-education",
        },
        {
            "rule": "windows-11-hardware",
            "due_on": "2025-10-14",
            "detail": "cannot take Windows 11: memory 2 GB < 4, TPM 1.2 < 2.0",
            "source": "https://learn.microsoft.com/en-us/windows/whats-new/windows-11-requirements",
        },
    ]


def test_estimated_dates_say_so() -> None:
    decision = evaluate(DeviceFacts(os_name="macOS", os_version="14.5"), DEFAULT, TODAY)

    assert decision.reasons[0].detail == "macOS 14 support ends (estimated)"


def test_enrolment_date_stands_in_for_a_missing_purchase_date() -> None:
    facts = DeviceFacts(device_type="laptop", enrolled_at=at("2023-10-02T09:30:00"))

    assert evaluate(facts, DEFAULT, TODAY).reasons[0].detail == (
        "laptop enrolled (no purchase date) 2023-10-02; lifespan 4 years"
    )


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2020, 2, 29), 4, date(2024, 2, 29)),
        (date(2020, 2, 29), 3, date(2023, 2, 28)),
        (date(2020, 2, 29), 1, date(2021, 2, 28)),
        (date(2021, 2, 28), 3, date(2024, 2, 28)),
        (date(2019, 12, 31), 5, date(2024, 12, 31)),
    ],
)
def test_add_years(start: date, years: int, expected: date) -> None:
    assert add_years(start, years) == expected


def test_configured_lifespans_keep_defaults_for_types_not_named() -> None:
    settings = ReplacementSettings.model_validate({"lifespan_years": {"laptop": 5}})

    assert settings.lifespan_years[DeviceType.LAPTOP] == 5
    assert settings.lifespan_years[DeviceType.DESKTOP] == 5
    assert settings.lifespan_years[DeviceType.THIN_CLIENT] == 7


def test_unknown_device_type_in_config_is_refused() -> None:
    with pytest.raises(ValueError, match="laptops"):
        ReplacementSettings.model_validate({"lifespan_years": {"laptops": 5}})


def test_config_lifecycle_fact_replaces_the_shipped_one() -> None:
    settings = ReplacementSettings.model_validate(
        {
            "lifecycle": [
                {
                    "os": "macos",
                    "release": "14",
                    "ends_on": "2026-09-15",
                    "source": "https://support.apple.com/en-us/100100",
                },
                {
                    "os": "chromeos",
                    "model": "Acme Chromebook 1",
                    "ends_on": "2031-06-01",
                    "source": "https://support.google.com/chrome/a/answer/6220366",
                },
            ]
        }
    )
    policy = Policy.from_settings(settings)

    mac = evaluate(DeviceFacts(os_name="macOS", os_version="14.5"), policy, TODAY)
    chrome = evaluate(DeviceFacts(os_name="ChromeOS", model="acme chromebook 1"), policy, TODAY)

    assert (mac.due_on, mac.reasons[0].detail) == (date(2026, 9, 15), "macOS 14 support ends")
    assert chrome.due_on == date(2031, 6, 1)


def test_one_evaluator_over_every_case_decides_each_as_alone_and_writes_its_json() -> None:
    # The fleet path keeps each rule's answers across devices: answers kept from earlier
    # cases must never leak into a later one.
    for policy in (DEFAULT, NO_ENROLMENT, CONSUMER, NO_STALE):
        shared = Evaluator(policy, TODAY)
        for _, facts, _, _, _, _ in CASES * 2:
            decision, text = shared.decide_with_text(DeviceFacts(**facts))

            assert decision == evaluate(DeviceFacts(**facts), policy, TODAY)
            assert text == json.dumps(decision.reasons_json())


def test_the_fingerprint_follows_what_the_rules_read_only() -> None:
    costs = Policy.from_settings(ReplacementSettings(unit_costs={"laptop": 1.0}, batch_size=7))
    longer = Policy.from_settings(ReplacementSettings(lifespan_years={"laptop": 6}))

    assert costs.fingerprint() == DEFAULT.fingerprint()
    assert len({DEFAULT.fingerprint(), longer.fingerprint(), NO_STALE.fingerprint()}) == 3
