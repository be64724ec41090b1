"""Credentials, accounts and clients: boto3's standard chain, assumed roles, retry config.

One boto3 Session is shared by every worker thread. Sessions are not thread-safe but the
clients they make are, so client creation is serialised by a lock and the calls are not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.loaders import create_loader

from scanners.aws.common import page_config, paged, partition_for
from scanners.aws.options import AwsOptions

# Assumed credentials are renewed when less than this is left, so no scope outlives its keys.
_RENEW_BEFORE = timedelta(minutes=15)
_ROLE_SECONDS = 3600
# botocore reads each service's model (JSON, the EC2 one about half a second) once per loader:
# one loader for the process, so a scan's session does not parse them all again.
_MODELS = create_loader()


def _boto3_session(profile: str | None) -> boto3.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", _MODELS)
    return boto3.Session(botocore_session=core, profile_name=profile)


@dataclass(frozen=True)
class _Assumed:
    keys: dict[str, str]
    expires: datetime


class AwsSession:
    def __init__(self, options: AwsOptions, external_id: str | None = None) -> None:
        self._options = options
        self._external_id = external_id
        self._session = _boto3_session(options.profile)
        self.home_region = options.home_region or self._session.region_name or "us-east-1"
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": options.max_attempts},
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            user_agent_extra="estate-scanner",
        )
        self._client_lock = threading.Lock()
        self._assume_lock = threading.Lock()
        self._assumed: dict[str, _Assumed] = {}
        self.self_account = ""

    def endpoint_for(self, service: str, region: str) -> str | None:
        options = self._options
        return (
            options.service_endpoint_urls.get(service)
            or options.region_endpoint_urls.get(region)
            or options.endpoint_url
        )

    def client(self, service: str, region: str, account: str | None = None) -> Any:
        """A client for `service` in `region`, as the account's assumed role where not our own."""
        keys = self.keys_for(account) if account else {}
        with self._client_lock:
            return self._session.client(
                service,
                region_name=region,
                endpoint_url=self.endpoint_for(service, region),
                config=self._config,
                **keys,
            )

    def offered_in(self, service: str, region: str) -> bool:
        """False only where botocore knows the region and knows `service` is not offered there."""
        if self.endpoint_for(service, region):
            return True
        partition = partition_for(region)
        with self._client_lock:
            known = self._session.get_available_regions("ec2", partition)
            offered = self._session.get_available_regions(service, partition)
        return region not in known or region in offered

    def identify(self) -> str:
        """The credentials' own account: the management account when listing an organization."""
        sts = self.client("sts", self.home_region)
        self.self_account = str(sts.get_caller_identity()["Account"])
        return self.self_account

    def keys_for(self, account: str) -> dict[str, str]:
        """Client keyword arguments for `account`: none for our own, else its role's keys."""
        if account == self.self_account:
            return {}
        # One lock for all accounts: assuming takes one call, and a scope waits for it anyway.
        with self._assume_lock:
            assumed = self._assumed.get(account)
            if assumed is None or assumed.expires - datetime.now(UTC) < _RENEW_BEFORE:
                assumed = self._assume(account)
                self._assumed[account] = assumed
            return assumed.keys

    def _assume(self, account: str) -> _Assumed:
        if not self._options.assume_role:
            raise PermissionError(f"account {account} is not our own and no assume_role is set")
        partition = partition_for(self.home_region)
        kwargs: dict[str, Any] = {
            "RoleArn": f"arn:{partition}:iam::{account}:role/{self._options.assume_role}",
            "RoleSessionName": self._options.role_session_name,
            "DurationSeconds": _ROLE_SECONDS,
        }
        if self._external_id:
            kwargs["ExternalId"] = self._external_id
        credentials = self.client("sts", self.home_region).assume_role(**kwargs)["Credentials"]
        return _Assumed(
            keys={
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            },
            expires=credentials["Expiration"],
        )


def fetch_organization_accounts(session: AwsSession, page_size: int | None) -> list[dict]:
    organizations = session.client("organizations", session.home_region)
    return paged(organizations, "list_accounts", "Accounts", page_config(page_size, 1, 20))


def transform_organization_accounts(accounts: list[dict]) -> list[str]:
    """Active account ids; suspended, closing or pending accounts cannot be read."""
    active = []
    for account in accounts:
        # `State` replaces the deprecated `Status`; older answers carry only the latter.
        state = account.get("State") or account.get("Status")
        if state == "ACTIVE":
            active.append(str(account["Id"]))
    return sorted(active)


def fetch_enabled_regions(session: AwsSession, account: str) -> list[str]:
    """The regions enabled for `account` (DescribeRegions leaves out those not opted in)."""
    ec2 = session.client("ec2", session.home_region, account)
    regions = ec2.describe_regions(AllRegions=False)["Regions"]
    return sorted(
        str(region["RegionName"])
        for region in regions
        if region.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
    )
