"""A local Application Migration Service: moto has none, so pytest-httpserver answers MGN's
documented DescribeSourceServers (POST /DescribeSourceServers, paged by nextToken).

The region comes from the request's SigV4 credential scope and the account from its access
key, which moto's STS resolves (moto does not check signatures, so any secret will do).
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import boto3
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/mgn/aws4_request")
# The page this peer answers when the caller asks for no size, small so paging is exercised.
DEFAULT_PAGE = 2


def source_server(
    server_id: str,
    hostname: str,
    fqdn: str | None,
    lifecycle: str,
    replication: str,
    launched: str | None = None,
    arn_prefix: str = "arn:aws:mgn:eu-west-2:111122223333",
) -> dict[str, Any]:
    """A source server as DescribeSourceServers documents it (only the fields we read)."""
    server: dict[str, Any] = {
        "sourceServerID": server_id,
        "arn": f"{arn_prefix}:source-server/{server_id}",
        "isArchived": False,
        "replicationType": "AGENT_BASED",
        "lifeCycle": {"state": lifecycle, "addedToServiceDateTime": "2026-10-01T09:00:00Z"},
        "dataReplicationInfo": {"dataReplicationState": replication, "lagDuration": "PT1M"},
        "sourceProperties": {
            "identificationHints": {"hostname": hostname, **({"fqdn": fqdn} if fqdn else {})},
            "recommendedInstanceType": "m5.large",
        },
        "tags": {},
    }
    if launched:
        server["launchedInstance"] = {"ec2InstanceID": launched, "firstBoot": "SUCCEEDED"}
    return server


class MgnPeer:
    def __init__(self, moto_url: str) -> None:
        self.moto_url = moto_url
        # (account, region) -> its source servers; a pair not listed answers "not initialised".
        self.servers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.pages_served = 0
        self._accounts: dict[str, str] = {}
        self._lock = threading.Lock()
        self.http = HTTPServer(host="127.0.0.1", port=0, threaded=True)

    @property
    def url(self) -> str:
        return self.http.url_for("/").rstrip("/")

    def start(self) -> MgnPeer:
        self.http.start()
        self.http.expect_request("/DescribeSourceServers", method="POST").respond_with_handler(
            self._describe
        )
        return self

    def stop(self) -> None:
        self.http.clear()
        self.http.stop()

    def reset(self) -> None:
        with self._lock:
            self.servers.clear()
            self._accounts.clear()
            self.pages_served = 0

    def _describe(self, request: Request) -> Response:
        match = _SCOPE.search(request.headers.get("Authorization", ""))
        if match is None:
            return _error(403, "AccessDeniedException", "request not signed for mgn")
        key, region = match.groups()
        items = self.servers.get((self._account_of(key), region))
        if items is None:
            return _error(400, "UninitializedAccountException", "Account not initialized")
        asked = request.get_json(silent=True) or {}
        start = int(asked.get("nextToken") or 0)
        end = start + int(asked.get("maxResults") or DEFAULT_PAGE)
        answer: dict[str, Any] = {"items": items[start:end]}
        if end < len(items):
            answer["nextToken"] = str(end)
        with self._lock:
            self.pages_served += 1
        return Response(json.dumps(answer), status=200, content_type="application/json")

    def _account_of(self, access_key: str) -> str:
        with self._lock:
            known = self._accounts.get(access_key)
        if known is None:
            sts = boto3.client(
                "sts",
                region_name="us-east-1",
                endpoint_url=self.moto_url,
                aws_access_key_id=access_key,
                aws_secret_access_key="unchecked",
            )
            known = str(sts.get_caller_identity()["Account"])
            with self._lock:
                self._accounts[access_key] = known
        return known


def _error(status: int, code: str, message: str) -> Response:
    return Response(
        json.dumps({"message": message, "code": code}),
        status=status,
        content_type="application/json",
        headers={"x-amzn-ErrorType": code},
    )
