"""Connecting to a vCenter: TLS context, API version, login and logout, each with a timeout.

pyVim's SmartConnect is not used: its version probe opens a connection with no timeout, so a
vCenter that accepts and never answers would hang the scan, and without an SSL context it
turns certificate checks off for localhost.
"""

from __future__ import annotations

import http.client
import io
import logging
import ssl
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyVmomi import VmomiSupport, vim, vmodl
from pyVmomi.SoapAdapter import SoapResponseDeserializer, SoapStubAdapter

from scanners.vcenter.options import VcenterOptions

log = logging.getLogger(__name__)

SDK_PATH = "/sdk"


class NotVsphere(Exception):
    """The endpoint answered, but not as a vSphere API endpoint that pyVmomi can speak to."""


class CountingStub(SoapStubAdapter):
    """A SOAP stub that counts its round trips: each call is one HTTP request."""

    calls = 0

    def InvokeMethod(self, mo: Any, info: Any, args: Any, outerStub: Any = None) -> Any:
        self.calls += 1
        return super().InvokeMethod(mo, info, args, outerStub)

    def invoke_raw(self, mo: Any, method: str, args: tuple[Any, ...]) -> bytes:
        """Call `method`, returning the answer's XML unparsed; a fault is raised as pyVmomi's.

        As InvokeMethod, less the deserializing (see payload.py for why).
        """
        info = mo._GetMethodInfo(method)
        self.calls += 1
        request = self.SerializeRequest(mo, info, args)
        headers = {
            **(self._customHeaders or {}),
            "Cookie": self.cookie,
            "SOAPAction": self.versionId,
            "Content-Type": "text/xml; charset=UTF-8",
        }
        connection = self.GetConnection()
        try:
            connection.request("POST", self.path, request, headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self.DropConnections()
            raise
        self.ReturnConnection(connection)
        if response.status == 200:
            return body
        if response.status == 500:
            fault = SoapResponseDeserializer(self).Deserialize(io.BytesIO(body), info.result)
            if isinstance(fault, Exception):
                raise fault
        raise http.client.HTTPException(f"{response.status} {response.reason}")


@dataclass
class Connection:
    content: Any  # vim.ServiceInstanceContent
    stub: CountingStub
    # Requests made outside the stub: the API version probe.
    probes: int = 1

    @property
    def round_trips(self) -> int:
        return self.probes + self.stub.calls


def tls_context(options: VcenterOptions, config_dir: Path) -> ssl.SSLContext | None:
    """Verifying by default (the system's CAs, or `ca_bundle`); None for plain HTTP."""
    if options.protocol == "http":
        return None
    if not options.verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    cafile = str(config_dir / Path(options.ca_bundle).expanduser()) if options.ca_bundle else None
    return ssl.create_default_context(cafile=cafile)


def fetch_api_version(options: VcenterOptions, context: ssl.SSLContext | None) -> str:
    """The newest vim25 version both pyVmomi and the endpoint speak (one GET, with timeout)."""
    timeout = options.timeout_seconds
    connection: http.client.HTTPConnection
    if context is None:
        connection = http.client.HTTPConnection(options.host, options.port, timeout=timeout)
    else:
        connection = http.client.HTTPSConnection(
            options.host, options.port, timeout=timeout, context=context
        )
    try:
        connection.request("GET", f"{SDK_PATH}/vimServiceVersions.xml")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise NotVsphere(f"{SDK_PATH}/vimServiceVersions.xml answered HTTP {response.status}")
    return pick_api_version(body)


def pick_api_version(document: bytes) -> str:
    """pyVmomi's name of the newest vim25 version listed in vimServiceVersions.xml."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as exc:
        raise NotVsphere(f"vimServiceVersions.xml is not XML: {exc}") from None
    offered: set[str] = set()
    for namespace in root.iter("namespace"):
        if namespace.findtext("name") == "urn:vim25":
            offered.update(v.text for v in namespace.iter("version") if v.text)
    for name in VmomiSupport.GetServiceVersions("vim25"):
        if VmomiSupport.versionIdMap.get(name) in offered:
            return str(name)
    listed = ", ".join(sorted(offered)) or "none"
    raise NotVsphere(f"no vim25 API version in common (the endpoint offers: {listed})")


def connect(options: VcenterOptions, password: str, context: ssl.SSLContext | None) -> Connection:
    version = fetch_api_version(options, context)
    # pyVmomi's stub takes a negative port to mean plain HTTP.
    port = -options.port if options.protocol == "http" else options.port
    stub = CountingStub(
        options.host,
        port,
        version=version,
        path=SDK_PATH,
        sslContext=context,
        httpConnectionTimeout=options.timeout_seconds,
    )
    content = vim.ServiceInstance("ServiceInstance", stub).RetrieveContent()
    if content.sessionManager is None:
        raise NotVsphere("the endpoint has no session manager")
    content.sessionManager.Login(options.user, password, None)
    return Connection(content=content, stub=stub)


def disconnect(connection: Connection) -> None:
    """Log out; a vCenter that has gone away by now has nothing left to say."""
    try:
        connection.content.sessionManager.Logout()
    except (OSError, http.client.HTTPException, vmodl.MethodFault) as exc:
        log.debug("logout failed: %s", exc)


def describe_failure(exc: BaseException, options: VcenterOptions) -> str:
    """Why a vCenter could not be read, in words that point at the fix."""
    if isinstance(exc, vim.fault.InvalidLogin):
        return f"login failed for user {options.user!r}: check the user and ${options.password_env}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        hint = "is ca_bundle the right file?" if options.ca_bundle else "set ca_bundle"
        return f"TLS certificate not trusted ({exc.verify_message}): {hint}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc}"
    if isinstance(exc, TimeoutError):
        return f"timed out after {options.timeout_seconds:g}s"
    if isinstance(exc, vmodl.MethodFault):
        message = getattr(exc, "msg", None) or ""
        return f"vCenter fault {type(exc).__name__.rsplit('.', 1)[-1]}: {message}".rstrip(": ")
    if isinstance(exc, OSError):
        return f"cannot connect: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"
