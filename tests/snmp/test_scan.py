"""The snmp scanner against snmpsim serving the recorded walks over real UDP sockets."""

from __future__ import annotations

from typing import Any

import pytest

from estate.config import ConfigError, Settings, SourceConfig
from estate.inventory.records import Event, NetworkDeviceRecord
from scanners.registry import scanner_for
from tests.peers import ends, free_port, problems
from tests.snmp.conftest import Agents

AUTHPRIV = {
    "version": "3",
    "user": "ops-authpriv",
    "auth_protocol": "sha",
    "auth_key_env": "OPS_AUTHPRIV_AUTH",
    "priv_protocol": "aes",
    "priv_key_env": "OPS_AUTHPRIV_PRIV",
}


def collect(settings: Settings, **options: Any) -> list[Event]:
    source = SourceConfig(name="network", kind="snmp", options=options)
    return list(scanner_for(source, settings).collect())


def records(events: list[Event]) -> dict[str, NetworkDeviceRecord]:
    return {e.scope: e for e in events if isinstance(e, NetworkDeviceRecord)}


def target(agents: Agents, walk: str, **more: Any) -> dict[str, Any]:
    return {"name": walk, "address": "127.0.0.1", "port": agents.ports[walk], **more}


def test_every_simulated_device_over_v2c_with_class_and_site(
    settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    events = collect(
        settings,
        community_env="TEST_SNMP_COMMUNITY",
        targets=[
            target(agents, "cisco-catalyst-9300", site="CIV"),
            target(agents, "cisco-isr-4331", site="DEP"),
            target(agents, "aruba-ap-515", site="LIB"),
            target(agents, "cisco-wlc-3504", site="CIV"),
            # The well-known community may be written in the file.
            target(agents, "apc-ups-smart-3000", community="public", community_env=None),
        ],
    )

    assert problems(events) == []
    assert set(ends(events).values()) == {True}
    found = {
        scope: (r.name, r.device_class, r.site, r.serial, r.interface_count)
        for scope, r in records(events).items()
    }
    assert found == {
        "cisco-catalyst-9300": ("civic-centre-core-sw1", "switch", "CIV", "FOC2233X0AB", 27),
        "cisco-isr-4331": ("depot-wan-rtr1", "router", "DEP", "FDO21520ABC", 6),
        "aruba-ap-515": ("lib-central-ap-02", "wireless-ap", "LIB", None, 5),
        "cisco-wlc-3504": ("civic-centre-wlc1", "wireless-controller", "CIV", "FCW2234L0AB", 6),
        "apc-ups-smart-3000": ("depot-ups1", "other", None, None, 2),
    }
    switch = records(events)["cisco-catalyst-9300"]
    port = agents.ports["cisco-catalyst-9300"]
    assert switch.external_id == f"snmp:127.0.0.1:{port}"
    assert switch.management_address == "127.0.0.1"
    assert switch.sys_object_id == "1.3.6.1.4.1.9.1.2494"
    assert switch.location == "Civic Centre, Floor 2 Comms Room, Rack B3"
    assert switch.sys_descr is not None and "\r\n" in switch.sys_descr


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(AUTHPRIV, id="authPriv-sha-aes"),
        pytest.param(
            {
                "version": "3",
                "user": "ops-authonly",
                "auth_protocol": "sha256",
                "auth_key_env": "OPS_AUTHONLY_AUTH",
            },
            id="authNoPriv-sha256",
        ),
        pytest.param(
            {
                "version": "3",
                "user": "ops-cisco-aes256",
                "auth_protocol": "sha512",
                "auth_key_env": "OPS_CISCO_AES256_AUTH",
                "priv_protocol": "aes256c",
                "priv_key_env": "OPS_CISCO_AES256_PRIV",
            },
            id="authPriv-sha512-aes256c",
        ),
    ],
)
def test_snmpv3_users(
    settings: Settings, agents: Agents, snmp_secrets: None, credentials: dict[str, str]
) -> None:
    events = collect(settings, targets=[target(agents, "cisco-wlc-3504", **credentials)])

    assert (ends(events), problems(events)) == ({"cisco-wlc-3504": True}, [])
    assert records(events)["cisco-wlc-3504"].serial == "FCW2234L0AB"


def test_an_unreachable_target_fails_its_scope_only(
    settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    closed = free_port()

    events = collect(
        settings,
        timeout_seconds=0.5,
        retries=0,
        targets=[
            target(agents, "aruba-ap-515"),
            {"name": "gone", "address": "127.0.0.1", "port": closed},
        ],
    )

    assert ends(events) == {"aruba-ap-515": True, "gone": False}
    assert set(records(events)) == {"aruba-ap-515"}
    assert problems(events) == [
        (
            "gone",
            f"127.0.0.1:{closed}",
            "no SNMP response (0.5s x 1 tries): unreachable, or the community is wrong",
        )
    ]


def test_a_wrong_community_fails_the_scope(
    settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    wrong = target(agents, "cisco-isr-4331", community_env="WRONG_KEY")

    events = collect(settings, timeout_seconds=0.5, retries=0, targets=[wrong])

    # An agent ignores a community it does not know: to us, that is silence.
    assert ends(events) == {"cisco-isr-4331": False}
    assert problems(events)[0][2].endswith("unreachable, or the community is wrong")


def test_a_wrong_v3_auth_key_fails_the_scope_naming_the_user(
    settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    wrong = {**AUTHPRIV, "auth_key_env": "WRONG_KEY"}

    events = collect(settings, retries=0, targets=[target(agents, "cisco-isr-4331", **wrong)])

    assert ends(events) == {"cisco-isr-4331": False}
    assert problems(events) == [
        (
            "cisco-isr-4331",
            f"127.0.0.1:{agents.ports['cisco-isr-4331']}",
            "SNMPv3 authentication failed for user 'ops-authpriv': wrong auth key or protocol",
        )
    ]


def test_an_unknown_v3_user_fails_the_scope(
    settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    stranger = {**AUTHPRIV, "user": "nobody-here"}

    events = collect(settings, retries=0, targets=[target(agents, "cisco-isr-4331", **stranger)])

    assert problems(events)[0][2] == "the agent does not know SNMPv3 user 'nobody-here'"


def test_top_level_credentials_are_every_targets_default(
    settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    events = collect(
        settings,
        **AUTHPRIV,
        targets=[target(agents, "aruba-ap-515"), target(agents, "cisco-isr-4331")],
    )

    assert (ends(events), problems(events)) == ({"aruba-ap-515": True, "cisco-isr-4331": True}, [])


def test_configured_class_rules_win(settings: Settings, agents: Agents, snmp_secrets: None) -> None:
    events = collect(
        settings,
        classes=[{"class": "router", "sys_object_id_prefix": "1.3.6.1.4.1.318"}],
        targets=[target(agents, "apc-ups-smart-3000")],
    )

    assert records(events)["apc-ups-smart-3000"].device_class == "router"


def test_an_unset_community_variable_is_a_configuration_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="UNSET_COMMUNITY is not set"):
        collect(settings, community_env="UNSET_COMMUNITY", targets=[{"address": "10.0.0.1"}])


T = [{"address": "sw1"}]
V3 = {"version": "3", "user": "u"}
BAD_OPTIONS = [
    ({"targets": [{"address": "sw1", "community": "private"}]}, "community"),
    ({"targets": [{"address": "sw1", "community": "public", "community_env": "C"}]}, "not both"),
    ({"targets": [{"address": "sw1", "version": "3"}]}, "needs a user"),
    ({**V3, "auth_protocol": "sha", "targets": T}, "go together"),
    ({**V3, "priv_protocol": "aes", "priv_key_env": "P", "targets": T}, "needs authentication"),
    ({"targets": [*T, {"address": "sw1", "port": 161}]}, "a second target"),
    ({"targets": T, "classes": [{"class": "switch"}]}, "needs sys_object_id_prefix"),
    ({"targets": T, "classes": [{"class": "hub", "sys_descr_pattern": "x"}]}, "class"),
    ({"targets": T, "classes": [{"class": "switch", "sys_descr_pattern": "("}]}, "not a regular"),
    ({"targets": T, "classes": [{"class": "switch", "sys_object_id_prefix": "iso.3"}]}, "dotted"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_options_are_checked_when_the_config_is_loaded(
    settings: Settings, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        scanner_for(SourceConfig(name="network", kind="snmp", options=options), settings)
