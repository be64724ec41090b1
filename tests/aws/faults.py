"""An HTTP proxy in front of moto's server that answers some requests with AWS-shaped faults.

It reads the region and service from each request's SigV4 credential scope, so one proxy
can break one region (500s), throttle another (once per service, then pass), and refuse
AssumeRole into chosen accounts, while everything else reaches moto unchanged.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_QUERY_SERVICES = {"autoscaling", "elasticloadbalancing", "iam", "rds", "sts"}
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class Faults:
    failing_regions: set[str] = field(default_factory=set)
    throttled_regions: set[str] = field(default_factory=set)
    throttles_per_service: int = 1
    denied_accounts: set[str] = field(default_factory=set)
    # What the proxy did: (region, service) -> throttles served.
    throttled: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Every request seen: (service, action) -> count; the action of a query-protocol call.
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)


def error_answer(service: str, status: int, code: str, message: str) -> tuple[int, dict, bytes]:
    """An error the way `service`'s protocol spells it, so botocore parses the code."""
    if service == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            "</Error></Errors><RequestID>fault</RequestID></Response>"
        )
        return status, {"Content-Type": "text/xml"}, body.encode()
    if service in _QUERY_SERVICES:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        )
        return status, {"Content-Type": "text/xml"}, body.encode()
    payload = {"__type": code, "message": message}
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
    return status, headers, json.dumps(payload).encode()


class FaultProxy:
    def __init__(self, upstream: str, faults: Faults) -> None:
        self.upstream = urlsplit(upstream)
        self.faults = faults
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fault_for(self, region: str, service: str, body: bytes) -> tuple[int, dict, bytes] | None:
        faults = self.faults
        action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        with self._lock:
            faults.calls[(service, action)] += 1
        if region in faults.failing_regions:
            return error_answer(service, 500, "InternalFailure", "injected server fault")
        if service == "sts" and action == "AssumeRole":
            role = parse_qs(body.decode()).get("RoleArn", [""])[0]
            account = role.split(":")[4] if role.count(":") >= 5 else ""
            if account in faults.denied_accounts:
                message = f"not authorized to perform: sts:AssumeRole on resource: {role}"
                return error_answer(service, 403, "AccessDenied", message)
        if region in faults.throttled_regions:
            with self._lock:
                if faults.throttled[(region, service)] < faults.throttles_per_service:
                    faults.throttled[(region, service)] += 1
                    status = 503 if service == "ec2" else 400
                    code = "RequestLimitExceeded" if service == "ec2" else "Throttling"
                    if service not in _QUERY_SERVICES | {"ec2"}:
                        status, code = 429, "ThrottlingException"
                    return error_answer(service, status, code, "Rate exceeded")
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                match = _SCOPE.search(self.headers.get("Authorization", ""))
                region, service = match.groups() if match else ("", "")
                answer = proxy.fault_for(region, service, body) or proxy.forward(self, body)
                status, headers, payload = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _relay

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def forward(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(
            self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=60
        )
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
            connection.request(request.command, request.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS}
            return response.status, kept, payload
        finally:
            connection.close()
