"""A small Microsoft Graph client: OAuth2 client credentials, retries and @odata.nextLink paging.

Graph throttles with 429 (and sheds load with 503), each saying how long to wait in
Retry-After; a token that expires mid-run comes back as 401 InvalidAuthenticationToken, which
is answered once with a fresh token. Only the configured Graph base URL ever gets the token:
a nextLink pointing anywhere else is refused.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

RETRY_STATUSES = {429, 503, 504}
# Renew a token this long before Entra ID says it expires.
TOKEN_MARGIN_SECONDS = 120


class GraphError(Exception):
    """A Graph or token call failed for good; `target` names the URL."""

    def __init__(self, message: str, target: str) -> None:
        super().__init__(message)
        self.target = target


@dataclass
class GraphClient:
    graph_url: str
    token_url: str
    client_id: str
    client_secret: str
    scope: str
    timeout_seconds: float = 30.0
    max_retries: int = 5
    max_retry_after_seconds: float = 300.0
    verify: bool | ssl.SSLContext = True
    sleep: Callable[[float], None] = time.sleep
    _http: httpx.Client = field(init=False, repr=False)
    _token: str | None = field(default=None, init=False, repr=False)
    _token_expires: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.graph_url = self.graph_url.rstrip("/")
        self._http = httpx.Client(timeout=self.timeout_seconds, verify=self.verify)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pages(self, path: str, params: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
        """Each page's `value` list, following @odata.nextLink until there is none."""
        url: str | None = f"{self.graph_url}{path}"
        query: dict[str, str] | None = params
        while url is not None:
            if not url.startswith(self.graph_url + "/"):
                raise GraphError(f"nextLink leaves the Graph base URL: {url}", url)
            page = self.get_json(url, query)
            yield page["value"]
            url, query = page.get("@odata.nextLink"), None

    def get_json(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        renewed = False
        attempt = 0
        while True:
            response = self._send(url, params)
            if response.status_code == 401 and not renewed and _expired_token(response):
                self._token, renewed = None, True
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                self.sleep(self._wait(response, attempt))
                attempt += 1
                continue
            if response.status_code != 200:
                raise GraphError(_describe(response), url)
            body: dict[str, Any] = response.json()
            return body

    def _send(self, url: str, params: dict[str, str] | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._access_token()}", "Accept": "application/json"}
        try:
            return self._http.get(url, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise GraphError(f"{type(exc).__name__}: {exc}", url) from exc

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        wanted = _retry_after(response.headers.get("Retry-After"))
        if wanted is None:
            wanted = float(2**attempt)
        return min(wanted, self.max_retry_after_seconds)

    def _access_token(self) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            self._token, lifetime = self._fetch_token()
            self._token_expires = time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 0)
        return self._token

    def _fetch_token(self) -> tuple[str, float]:
        form = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scope,
            "grant_type": "client_credentials",
        }
        try:
            response = self._http.post(self.token_url, data=form)
        except httpx.HTTPError as exc:
            raise GraphError(f"token request failed: {exc}", self.token_url) from exc
        if response.status_code != 200:
            raise GraphError(f"token request refused: {_describe(response)}", self.token_url)
        body = response.json()
        return body["access_token"], float(body.get("expires_in", 3599))


def _expired_token(response: httpx.Response) -> bool:
    try:
        return bool(response.json()["error"]["code"] == "InvalidAuthenticationToken")
    except (ValueError, KeyError, TypeError):
        return False


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _describe(response: httpx.Response) -> str:
    """Status and Graph's (or Entra ID's) own error text; never the request's secrets."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"HTTP {response.status_code} {error.get('code')}: {error.get('message')}"
    if isinstance(error, str):
        return f"HTTP {response.status_code} {error}: {body.get('error_description')}"
    return f"HTTP {response.status_code}"
