"""Windows 11 readiness by processor: the spellings real exports use, against the shipped lists."""

from __future__ import annotations

from datetime import date

import pytest

from estate.config import ReplacementSettings
from estate.devices.policy import DeviceFacts, Policy, evaluate, windows11_ready
from estate.devices.processors import processor_key, shipped_lists, windows11_processor

SPELLINGS = [
    ("Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz", "core i5 8350u", True),
    ("Intel Core i5-8350U", "core i5 8350u", True),
    ("i5-8350U", "core i5 8350u", True),
    ("Intel® Core™ i5 8350U", "core i5 8350u", True),
    ("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", "core i7 1165g7", True),
    ("12th Gen Intel(R) Core(TM) i5-1245U", "core i5 1245u", True),
    ("13th Gen Intel(R) Core(TM) i5-1345U   1.60 GHz", "core i5 1345u", True),
    ("Intel(R) Core(TM) Ultra 7 155H", "core ultra 7 155h", True),
    ("Intel(R) Core(TM) 5 120U", "core 5 120u", True),
    ("Intel(R) Core(TM) i7-7820HQ CPU @ 2.90GHz", "core i7 7820hq", True),  # 7th gen, listed
    ("AMD Ryzen 5 PRO 3500U w/ Radeon Vega Mobile Gfx", "ryzen 5 pro 3500u", True),
    ("AMD Ryzen 7 PRO 4750U with Radeon Graphics", "ryzen 7 pro 4750u", True),
    ("AMD Ryzen 7 2700X Eight-Core Processor", "ryzen 7 2700x", True),
    ("AMD 3020e with Radeon Graphics", "amd 3020e", True),
    ("AMD Athlon Silver 3050U with Radeon Graphics", "athlon 3050u", True),
    ("Intel(R) Pentium(R) Silver N5000 CPU @ 1.10GHz", "pentium n5000", True),
    ("Intel(R) Celeron(R) J4105 CPU @ 1.50GHz", "celeron j4105", True),
    ("Intel(R) N100", "intel n100", True),
    ("Intel(R) Xeon(R) W-2123 CPU @ 3.60GHz", "xeon w 2123", True),
    ("Snapdragon(R) X Elite - X1E80100 - Qualcomm(R) Oryon(TM) CPU", "snapdragon x1e80100", True),
    ("Snapdragon (TM) 8cx Gen 2 @ 3.15 GHz", "snapdragon 8cx gen 2", True),
    ("Microsoft SQ1 @ 3.0 GHz", "sq1", True),
    ("Intel(R) Core(TM) i5-7300U CPU @ 2.60GHz", "core i5 7300u", False),
    ("Intel(R) Core(TM) i7-6600U CPU @ 2.60GHz", "core i7 6600u", False),
    ("Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz", "core i5 4590", False),
    ("Intel(R) Core(TM) i5 CPU M 520 @ 2.40GHz", "core i5 m 520", None),
    ("Intel(R) Core(TM)2 Duo CPU E8400 @ 3.00GHz", "core 2 duo e8400", False),
    ("AMD Ryzen 5 2500U with Radeon Vega Mobile Gfx", "ryzen 5 2500u", False),
    ("AMD Ryzen 7 1700X Eight-Core Processor", "ryzen 7 1700x", False),
    # Unknown stays unknown: no family, a newer or server part, no model number.
    ("Apple M1", None, None),
    ("Intel Core i5 8th Gen", "core i5", None),
    ("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", "xeon 6230", None),
    ("AMD Ryzen AI 9 HX 370 w/ Radeon 890M", "ryzen ai 9 hx 370", None),
    ("#N/A", None, None),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("spelt", "key", "supported"), SPELLINGS)
def test_spellings_reduce_to_one_key_and_a_verdict(
    spelt: str | None, key: str | None, supported: bool | None
) -> None:
    assert processor_key(spelt) == key
    assert windows11_processor(spelt).supported is supported


def test_the_shipped_lists_say_where_they_come_from_and_as_of_when() -> None:
    lists = {p.manufacturer: p for p in shipped_lists()}

    assert sorted(lists) == ["AMD", "Intel", "Qualcomm"]
    assert {p.as_of for p in lists.values()} == {date(2025, 9, 8)}
    assert all(p.source.startswith("https://learn.microsoft.com/") for p in lists.values())
    assert [len(lists[m].keys) for m in ("Intel", "AMD", "Qualcomm")] == [793, 280, 23]


def test_an_unsupported_processor_is_a_windows_11_hardware_reason_on_windows_10_end() -> None:
    facts = DeviceFacts(os_name="Windows 10", os_version="22H2", cpu_model="i5-7300U")

    decision = evaluate(facts, Policy.from_settings(), date(2026, 11, 25))

    assert [(r.rule, r.due_on) for r in decision.reasons] == [
        ("os-end-of-support", date(2025, 10, 14)),
        ("windows-11-hardware", date(2025, 10, 14)),
    ]
    assert decision.reasons[1].detail == (
        "cannot take Windows 11: processor i5-7300U not supported:"
        " Intel Core 7th generation or older"
    )
    assert (decision.due_on, decision.windows11_ready) == (date(2025, 10, 14), False)


@pytest.mark.parametrize(
    ("facts", "ready"),
    [
        (DeviceFacts(os_name="Windows 10", cpu_model="i5-8350U"), True),
        (DeviceFacts(cpu_model="i5-8350U"), True),  # no OS known: the hardware still tells
        (DeviceFacts(os_name="Windows 11", cpu_model="i5-7300U"), False),
        (DeviceFacts(os_name="Windows 10", cpu_model="i5-8350U", memory_gb=2.0), False),
        (DeviceFacts(os_name="Windows 10", cpu_model="i5-8350U", tpm_version="1.2"), False),
        (DeviceFacts(os_name="Windows 10", memory_gb=2.0), False),
        (DeviceFacts(os_name="Windows 10"), None),
        (DeviceFacts(os_name="Windows 10", cpu_model="Xeon Gold 6230"), None),
        (DeviceFacts(os_name="iOS", cpu_model="i5-7300U"), None),
    ],
)
def test_windows11_ready_is_false_only_on_a_known_shortfall(
    facts: DeviceFacts, ready: bool | None
) -> None:
    assert windows11_ready(facts, ReplacementSettings()) is ready
