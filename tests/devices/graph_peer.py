"""A Microsoft Graph and Entra ID token endpoint on loopback, answering as Microsoft's docs show:
client-credentials tokens, managedDevices pages linked by @odata.nextLink, $select honoured,
429 with Retry-After, and 401 InvalidAuthenticationToken once a token has expired."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from werkzeug import Request, Response

DEVICES = json.loads((Path(__file__).parent / "data/graph_managed_devices.json").read_text())
TENANT = "council-tenant-id"
CLIENT_ID = "estate-app-id"
SECRET = "graph-client-secret"
PATH = "/v1.0/deviceManagement/managedDevices"


@dataclass
class GraphPeer:
    base_url: str
    page_size: int = 2
    devices: list[dict[str, Any]] = field(default_factory=lambda: list(DEVICES))
    # Page numbers (from 0) answered once with 429 / 503 before being served.
    throttle_pages: set[int] = field(default_factory=set)
    unavailable_pages: set[int] = field(default_factory=set)
    # Before serving this page, every token issued so far expires.
    expire_tokens_at_page: int | None = None
    forbidden: bool = False
    tokens_issued: int = 0
    expired: set[str] = field(default_factory=set)
    log: list[tuple[str, str, str | None]] = field(default_factory=list)

    def handle(self, request: Request) -> Response:
        if request.path == f"/{TENANT}/oauth2/v2.0/token" and request.method == "POST":
            return self._token(request)
        if request.path == PATH and request.method == "GET":
            return self._devices(request)
        return _json(404, {"error": {"code": "ResourceNotFound", "message": request.path}})

    def _token(self, request: Request) -> Response:
        form = request.form
        self.log.append(("POST", "token", None))
        if form.get("client_secret") != SECRET or form.get("client_id") != CLIENT_ID:
            return _json(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        assert form["grant_type"] == "client_credentials"
        assert form["scope"] == "https://graph.microsoft.com/.default"
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        return _json(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def _devices(self, request: Request) -> Response:
        page = int(request.args.get("$skiptoken", "0"))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.log.append(("GET", f"page {page}", token))
        if self.expire_tokens_at_page == page:
            self.expired |= {f"token-{n}" for n in range(1, self.tokens_issued + 1)}
            self.expire_tokens_at_page = None
        if token in self.expired or not token.startswith("token-"):
            return _json(
                401,
                _graph_error(
                    "InvalidAuthenticationToken",
                    "Lifetime validation failed, the token is expired.",
                ),
            )
        if self.forbidden:
            return _json(
                403,
                _graph_error(
                    "Forbidden", "Application is not authorized to perform this operation."
                ),
            )
        for pages, status in ((self.throttle_pages, 429), (self.unavailable_pages, 503)):
            if page in pages:
                pages.discard(page)
                return _json(
                    status, _graph_error("TooManyRequests", "Retry later"), {"Retry-After": "1"}
                )
        return _json(200, self._page(request, page))

    def _page(self, request: Request, page: int) -> dict[str, Any]:
        select = request.args["$select"].split(",")
        start = page * self.page_size
        items = [
            {"@odata.type": d["@odata.type"], **{k: d[k] for k in select if k in d}}
            for d in self.devices[start : start + self.page_size]
        ]
        body: dict[str, Any] = {
            "@odata.context": f"{self.base_url}/v1.0/$metadata#deviceManagement/managedDevices",
            "value": items,
        }
        if start + self.page_size < len(self.devices):
            query = urlencode({"$select": request.args["$select"], "$skiptoken": page + 1})
            body["@odata.nextLink"] = f"{self.base_url}{PATH}?{query}"
        return body


def _graph_error(code: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": "2026-11-25T10:00:00",
                "request-id": "0000",
                "client-request-id": "0000",
            },
        }
    }


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers, content_type="application/json"
    )
