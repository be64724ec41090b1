"""The redfish scanner against real Redfish servers on loopback (sushy-tools)."""

from __future__ import annotations

from typing import Any

import pytest

from estate.config import ConfigError, Settings, SourceConfig
from estate.inventory.records import Event, ServerRecord
from scanners.registry import scanner_for
from tests.peers import ends, problems
from tests.redfish.conftest import USERNAME, Peer
from tests.tls import TlsFiles


def collect(settings: Settings, **options: Any) -> list[Event]:
    options = {"username": USERNAME, "password_env": "TEST_BMC_PASSWORD", **options}
    source = SourceConfig(name="bmcs", kind="redfish", options=options)
    return list(scanner_for(source, settings).collect())


def collect_one(
    settings: Settings, name: str, address: str, ca: TlsFiles | None = None, **bmc: Any
) -> list[Event]:
    """One BMC named `name` at `address` (its other options `bmc`), trusting `ca` if given."""
    trust = {"ca_bundle": str(ca.ca)} if ca is not None else {}
    return collect(settings, bmcs=[{"name": name, "address": address, **bmc}], **trust)


def records(events: list[Event]) -> dict[str, ServerRecord]:
    return {e.scope: e for e in events if isinstance(e, ServerRecord)}


def test_two_bmcs_in_groups_give_servers_on_their_sites(
    settings: Settings, bmc_password: str, dell_bmc: Peer, hpe_bmc: Peer
) -> None:
    events = collect(
        settings,
        bmcs=[
            {"name": "idrac-civ-01", "address": dell_bmc.url, "group": "civic"},
            {"address": hpe_bmc.url, "group": "depot"},
        ],
        groups={"civic": "Civic Centre", "depot": "Highways Depot"},
    )

    hpe_scope = hpe_bmc.url.removeprefix("http://")
    found = records(events)
    assert ends(events) == {"idrac-civ-01": True, hpe_scope: True}
    assert problems(events) == []
    dell, hpe = found["idrac-civ-01"], found[hpe_scope]
    assert (dell.external_id, dell.serial, dell.model, dell.power_watts, dell.site) == (
        f"redfish:{dell_bmc.url.removeprefix('http://')}/System.Embedded.1",
        "7XJ4R53",
        "PowerEdge R750",
        312.0,
        "Civic Centre",
    )
    assert (hpe.external_id, hpe.serial, hpe.model, hpe.power_watts, hpe.site) == (
        f"redfish:{hpe_scope}/1",
        "CZJ3180ABC",
        "ProLiant DL380 Gen11",
        455.0,
        "Highways Depot",
    )
    assert dell.extra["bmc"] == dell_bmc.url


def test_https_with_the_bmcs_ca_bundle(
    settings: Settings, bmc_password: str, dell_bmc_tls: Peer, tls: TlsFiles
) -> None:
    events = collect_one(settings, "idrac", dell_bmc_tls.url, tls)

    assert ends(events) == {"idrac": True}
    assert records(events)["idrac"].serial == "7XJ4R53"


def test_an_untrusted_certificate_fails_the_scope_naming_the_bmc(
    settings: Settings, bmc_password: str, dell_bmc_tls: Peer
) -> None:
    events = collect_one(settings, "idrac", dell_bmc_tls.url)

    assert records(events) == {}
    assert ends(events) == {"idrac": False}
    [(scope, target, reason)] = problems(events)
    assert (scope, target) == ("idrac", dell_bmc_tls.url)
    assert reason.startswith("TLS certificate not trusted: unable to get local issuer certificate")


def test_verify_tls_off_reads_an_untrusted_bmc(
    settings: Settings, bmc_password: str, dell_bmc_tls: Peer
) -> None:
    events = collect_one(settings, "idrac", dell_bmc_tls.url, verify_tls=False)

    assert ends(events) == {"idrac": True}


def test_the_emulator_with_basic_auth_over_https(
    settings: Settings, bmc_password: str, emulator: Peer, tls: TlsFiles
) -> None:
    events = collect_one(settings, "emu", emulator.url, tls)

    assert ends(events) == {"emu": True}
    record = records(events)["emu"]
    # The fake system has no serial of its own: the chassis' serves.
    assert (record.manufacturer, record.serial, record.power_state, record.power_watts) == (
        "Sushy Emulator",
        "437XR1138R2",
        "off",
        None,
    )
    assert record.external_id.startswith(f"redfish:{emulator.url.removeprefix('https://')}/")


def test_wrong_credentials_fail_the_scope_naming_the_bmc(
    settings: Settings, bmc_password: str, emulator: Peer, tls: TlsFiles
) -> None:
    events = collect_one(settings, "emu", emulator.url, tls, password_env="TEST_BMC_WRONG_PASSWORD")

    assert ends(events) == {"emu": False}
    assert problems(events) == [
        (
            "emu",
            emulator.url,
            "/redfish/v1/Systems: HTTP 401: the BMC refused the username and password",
        )
    ]


def test_a_bmc_that_never_answers_times_out_alone(
    settings: Settings, bmc_password: str, silent_bmc: str, dell_bmc: Peer
) -> None:
    events = collect(
        settings,
        bmcs=[
            {"name": "silent", "address": silent_bmc},
            {"name": "idrac", "address": dell_bmc.url},
        ],
        timeout_seconds=1,
        retries=0,
    )

    assert ends(events) == {"silent": False, "idrac": True}
    assert problems(events) == [("silent", silent_bmc, "no answer within 1s (ReadTimeout)")]
    assert set(records(events)) == {"idrac"}


def test_a_refused_connection_fails_the_scope(
    settings: Settings, bmc_password: str, unused_port: int
) -> None:
    address = f"http://127.0.0.1:{unused_port}"

    events = collect(settings, bmcs=[{"name": "gone", "address": address}], retries=0)

    assert ends(events) == {"gone": False}
    [(scope, target, reason)] = problems(events)
    assert (scope, target) == ("gone", address)
    assert reason.startswith("cannot connect: ")
    assert "refused" in reason


def test_an_unset_password_variable_is_a_configuration_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="TEST_BMC_PASSWORD is not set"):
        collect(settings, bmcs=[{"address": "https://10.0.0.1"}])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"bmcs": [{"address": "bmc-1"}], "username": None}, "no username"),
        ({"bmcs": [{"address": "bmc-1", "group": "nowhere"}]}, "group 'nowhere' is not in groups"),
        ({"bmcs": [{"address": "bmc-1"}, {"address": "https://bmc-1"}]}, "a second BMC"),
        ({"bmcs": [{"address": "https://bmc-1/redfish/v1"}]}, "without a path"),
        ({"bmcs": [{"address": "ftp://bmc-1"}]}, "expected an http"),
        ({"bmcs": []}, "at least 1 item"),
    ],
)
def test_options_are_checked_when_the_config_is_loaded(
    settings: Settings, options: dict[str, Any], message: str
) -> None:
    options = {"username": "u", "password_env": "P", **options}
    with pytest.raises(ConfigError, match=message):
        scanner_for(SourceConfig(name="bmcs", kind="redfish", options=options), settings)


def test_a_bare_host_means_https(settings: Settings) -> None:
    options = {"username": "u", "password_env": "P", "bmcs": [{"address": "idrac-01:8443/"}]}
    scanner: Any = scanner_for(SourceConfig(name="b", kind="redfish", options=options), settings)

    assert scanner.options.bmcs[0].address == "https://idrac-01:8443"
    assert scanner.options.bmcs[0].scope == "idrac-01:8443"
