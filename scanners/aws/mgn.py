"""AWS Application Migration Service: each source server's lifecycle, replication and cutover.

A source server is an on-prem machine being replicated; its record is `match_only`, so ingest
attaches MGN's states to the matching on-prem server by FQDN or hostname and never creates one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from estate.inventory.records import Problem, ServerRecord
from scanners.aws.common import Lookups, ScopeContext, page_config, paged

# MGN answers this until the service is initialised in the account and region: nothing to read.
_NOT_IN_USE = "UninitializedAccountException"


def fetch_source_servers(clients: Any, page_size: int | None) -> list[dict]:
    mgn = clients("mgn")
    try:
        return paged(mgn, "describe_source_servers", "items", page_config(page_size, 1, 1000))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == _NOT_IN_USE:
            return []
        raise


def index_source_servers(servers: list[dict], lookups: Lookups) -> None:
    """Which on-prem server each launched (test or cutover) instance came from."""
    for server in servers:
        instance_id = (server.get("launchedInstance") or {}).get("ec2InstanceID")
        hints = _hints(server)
        name = hints.get("fqdn") or hints.get("hostname")
        if instance_id and name:
            lookups.mgn_source_of_instance[instance_id] = name


def transform_source_servers(
    servers: list[dict], ctx: ScopeContext, lookups: Lookups
) -> Iterator[ServerRecord | Problem]:
    return ctx.each(
        "mgn",
        "source server",
        servers,
        lambda server: _source_servers_record(server, ctx),
        lambda server: server.get("sourceServerID"),
    )


def _source_servers_record(server: dict, ctx: ScopeContext) -> ServerRecord:
    server_id = server["sourceServerID"]
    hints = _hints(server)
    replication = server.get("dataReplicationInfo") or {}
    launched = server.get("launchedInstance") or {}
    return ServerRecord(
        external_id=f"mgn:{ctx.account_id}/{ctx.region}/{server_id}",
        scope=ctx.scope,
        match_only=True,
        hostname=hints.get("hostname") or None,
        fqdn=hints.get("fqdn") or None,
        mgn_lifecycle_state=(server.get("lifeCycle") or {}).get("state"),
        mgn_replication_state=replication.get("dataReplicationState"),
        mgn_launched_instance_id=launched.get("ec2InstanceID"),
        extra={
            "source_server_id": server_id,
            "arn": server.get("arn"),
            "archived": server.get("isArchived"),
            "replication_type": server.get("replicationType"),
            "vmware_uuid": hints.get("vmWareUuid"),
            "launched_first_boot": launched.get("firstBoot"),
            "recommended_instance_type": _properties(server).get("recommendedInstanceType"),
        },
    )


def _properties(server: dict) -> dict[str, Any]:
    return server.get("sourceProperties") or {}


def _hints(server: dict) -> dict[str, Any]:
    return _properties(server).get("identificationHints") or {}
