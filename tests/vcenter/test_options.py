"""A vcenter source's options are checked when the config is loaded."""

from __future__ import annotations

from typing import Any

import pytest

from estate.config import ConfigError, Settings, SourceConfig
from scanners.registry import scanner_for
from scanners.vcenter import VcenterScanner

BASE = {"host": "vc.council.local", "user": "svc-estate@vsphere.local", "password_env": "VC_PW"}


def _build(**options: Any) -> VcenterScanner:
    source = SourceConfig(name="vc", kind="vcenter", options={**BASE, **options})
    scanner = scanner_for(source, Settings())
    assert isinstance(scanner, VcenterScanner)
    return scanner


def test_defaults_verify_tls_on_443_in_pages_of_500() -> None:
    options = _build().options

    assert (options.port, options.protocol, options.verify_tls, options.ca_bundle) == (
        443,
        "https",
        True,
        None,
    )
    assert (options.page_size, options.timeout_seconds, options.sites) == (500, 60.0, {})
    assert options.target == "vc.council.local:443"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pasword_env": "X"}, "unknown key 'pasword_env'"),
        ({"page_size": 0}, "page_size: Input should be greater than or equal to 1"),
        ({"protocol": "http", "ca_bundle": "ca.pem"}, "only used with protocol = 'https'"),
        ({"verify_tls": False, "ca_bundle": "ca.pem"}, "not used when verify_tls = false"),
    ],
)
def test_bad_options_name_the_key(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _build(**options)
