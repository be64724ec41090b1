"""Faults over real sockets: a refused region, a 500ing region, a role that cannot be assumed,
and throttling that clears on retry. Each failure stays in its scope; the rest complete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.aws.faults import FaultProxy, Faults
from tests.aws.helpers import collect, problems, scope_ends, workload_keys
from tests.aws.seed import ROLE, build_organization, moto_holds, seed_scope

HOME, THROTTLED, FAILING, REFUSED = "us-east-1", "eu-west-2", "eu-west-1", "eu-central-1"
REGIONS = [HOME, THROTTLED, FAILING, REFUSED]


@pytest.fixture
def proxy(moto: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(moto, Faults(failing_regions={FAILING}, throttled_regions={THROTTLED}))
    yield proxy.start()
    proxy.stop()


def test_failures_stay_in_their_scopes(
    moto: str, mgn: Any, proxy: FaultProxy, refused_url: str
) -> None:
    estate = build_organization(moto, members=3, suspended=0, regions=REGIONS)
    denied = estate.accounts[-1]
    proxy.faults.denied_accounts.add(denied)
    readable = [account for account in estate.accounts if account != denied]
    for account in readable:
        for region in (HOME, THROTTLED):
            seed_scope(estate, account, region, instances=5)

    events = collect(
        accounts="organization",
        assume_role=ROLE,
        regions=REGIONS,
        home_region=HOME,
        endpoint_url=proxy.url,
        region_endpoint_urls={REFUSED: refused_url},
        service_endpoint_urls={"mgn": mgn.url},
        max_attempts=3,
        connect_timeout=2,
        read_timeout=10,
    )

    good = {f"{a}/{r}" for a in readable for r in (HOME, THROTTLED)}
    ends = scope_ends(events)
    assert ends == {f"{a}/{r}": f"{a}/{r}" in good for a in estate.accounts for r in REGIONS}
    expected_targets = {f"{denied}/{r}/sts" for r in REGIONS}
    expected_targets |= {f"{a}/{r}/autoscaling" for a in readable for r in (FAILING, REFUSED)}
    found = problems(events)
    assert sorted(p.target or "" for p in found) == sorted(expected_targets)
    reasons = {p.target: p.reason for p in found}
    assert "AccessDenied (HTTP 403)" in reasons[f"{denied}/{HOME}/sts"]
    assert reasons[f"{denied}/{HOME}/sts"].startswith(f"account {denied}, region {HOME}, sts:")
    assert "InternalFailure (HTTP 500)" in reasons[f"{readable[0]}/{FAILING}/autoscaling"]
    assert "endpoint unreachable" in reasons[f"{readable[0]}/{REFUSED}/autoscaling"]
    # The good scopes hold exactly what moto holds there; the failed ones yield nothing.
    held = {key for key in moto_holds(estate) if f"{key[0]}/{key[1]}" in good}
    assert workload_keys(events) == held
    # Every service in the throttled region was throttled once and read on retry.
    services = ("autoscaling", "backup", "ec2", "rds", "lambda", "ecs", "eks", "monitoring")
    assert dict(proxy.faults.throttled) == {
        (THROTTLED, service): 1 for service in (*services, "elasticloadbalancing")
    }
