"""The `aws` kind's options: what the config may say, and what it is told when wrong."""

from __future__ import annotations

from typing import Any

import pytest

from estate.config import ConfigError, Settings, SourceConfig
from scanners.aws import AwsScanner
from scanners.aws.options import ALL_SERVICES
from scanners.registry import scanner_for


def _build(**options: Any) -> AwsScanner:
    found = scanner_for(SourceConfig(name="cloud", kind="aws", options=options), Settings())
    assert isinstance(found, AwsScanner)
    return found


def test_defaults() -> None:
    options = _build().options

    assert (options.accounts, options.regions, options.link_tag) == (
        "self",
        "all",
        "estate:source-server",
    )
    assert (options.max_workers, options.max_attempts) == (8, 5)
    assert options.services == list(ALL_SERVICES)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"region": "eu-west-2"}, "unknown key 'region'"),
        ({"accounts": "organization"}, "needs assume_role"),
        ({"regions": ["London"]}, "regions"),
        ({"accounts": ["12345"]}, "accounts"),
        ({"max_workers": 0}, "max_workers"),
    ],
)
def test_bad_options_name_the_key(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        _build(**options)

    assert "sources(cloud).options" in str(raised.value)


def test_external_id_env_must_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESTATE_TEST_AWS_EXTERNAL_ID", raising=False)
    scanner = _build(
        accounts=["111122223333"],
        assume_role="Scanner",
        external_id_env="ESTATE_TEST_AWS_EXTERNAL_ID",
    )

    with pytest.raises(ConfigError, match="ESTATE_TEST_AWS_EXTERNAL_ID is not set"):
        next(scanner.collect())
