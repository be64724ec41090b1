"""Polling SNMP agents with pysnmp's asyncio API: a GET of the scalars, walks of two columns."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyasn1.type.univ import Integer, ObjectIdentifier, OctetString
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_walk_cmd,
    get_cmd,
)
from pysnmp.hlapi.v3arch.asyncio import auth as usm
from pysnmp.proto import errind
from pysnmp.proto.rfc1902 import IpAddress
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from scanners.snmp.transform import COLUMNS, SCALARS, SYS_NAME, Device, Value

log = logging.getLogger(__name__)

AUTH_PROTOCOLS = {
    "md5": usm.USM_AUTH_HMAC96_MD5,
    "sha": usm.USM_AUTH_HMAC96_SHA,
    "sha224": usm.USM_AUTH_HMAC128_SHA224,
    "sha256": usm.USM_AUTH_HMAC192_SHA256,
    "sha384": usm.USM_AUTH_HMAC256_SHA384,
    "sha512": usm.USM_AUTH_HMAC384_SHA512,
}
PRIV_PROTOCOLS = {
    "des": usm.USM_PRIV_CBC56_DES,
    "3des": usm.USM_PRIV_CBC168_3DES,
    "aes": usm.USM_PRIV_CFB128_AES,
    "aes192": usm.USM_PRIV_CFB192_AES_BLUMENTHAL,
    "aes256": usm.USM_PRIV_CFB256_AES_BLUMENTHAL,
    "aes192c": usm.USM_PRIV_CFB192_AES,
    "aes256c": usm.USM_PRIV_CFB256_AES,
}
MAX_REPETITIONS = 25
# No agent's entity table is this long; more means a broken agent looping.
MAX_ROWS = 20_000


class SnmpError(Exception):
    """An agent could not be read; the message says why."""


@dataclass(frozen=True)
class Auth:
    """SNMP credentials, secrets resolved: a community (v2c) or a USM user (v3)."""

    community: str | None = field(default=None, repr=False)
    user: str | None = None
    auth_protocol: str | None = None
    auth_key: str | None = field(default=None, repr=False)
    priv_protocol: str | None = None
    priv_key: str | None = field(default=None, repr=False)

    def pysnmp(self) -> CommunityData | UsmUserData:
        if self.user is None:
            return CommunityData(self.community or "public", mpModel=1)
        return UsmUserData(
            self.user,
            authKey=self.auth_key,
            privKey=self.priv_key,
            authProtocol=AUTH_PROTOCOLS[self.auth_protocol or ""] if self.auth_key else None,
            privProtocol=PRIV_PROTOCOLS[self.priv_protocol or ""] if self.priv_key else None,
        )


@dataclass(frozen=True)
class Polling:
    timeout: float = 5.0
    retries: int = 1
    concurrency: int = 32


@dataclass(frozen=True)
class Outcome:
    device: Device
    values: dict[str, Value] | None = None
    error: str | None = None


async def fetch_all(targets: Sequence[tuple[Device, Auth]], polling: Polling) -> list[Outcome]:
    """Every agent's values (or why not), polling at most `concurrency` at once, in order."""
    gate = asyncio.Semaphore(polling.concurrency)
    engines = Engines()

    async def one(device: Device, auth: Auth) -> Outcome:
        async with gate:
            try:
                values = await fetch_device(engines.get(auth), device, auth, polling)
                return Outcome(device, values=values)
            except SnmpError as exc:
                return Outcome(device, error=str(exc))
            except Exception as exc:
                # pysnmp raises assorted errors (bad address, short keys, codec faults); each
                # fails its own agent's scope, never the others'.
                log.warning("snmp %s: %r", device.endpoint, exc, exc_info=True)
                return Outcome(device, error=f"{type(exc).__name__}: {exc}")

    try:
        return list(await asyncio.gather(*(one(device, auth) for device, auth in targets)))
    finally:
        engines.close()


class Engines:
    """One SNMP engine per set of credentials, sharing one MIB view.

    An engine costs a tenth of a second of CPU and a MIB view far more (it builds a MIB
    compiler where pysmi is installed), so agents that share credentials share an engine; the
    engine keeps each v3 agent's discovered engine ID and localized keys apart by itself.
    """

    def __init__(self) -> None:
        self._engines: dict[Auth, SnmpEngine] = {}
        self._mib_view: Any = None

    def get(self, auth: Auth) -> SnmpEngine:
        engine = self._engines.get(auth)
        if engine is None:
            engine = self._engines[auth] = SnmpEngine()
            if self._mib_view is None:
                self._mib_view = engine.cache["mibViewController"]
            # Used only to turn our numeric OIDs into varbinds: one serves every engine.
            engine.cache["mibViewController"] = self._mib_view
        return engine

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close_dispatcher()


async def fetch_device(
    engine: SnmpEngine, device: Device, auth: Auth, polling: Polling
) -> dict[str, Value]:
    transport = await UdpTransportTarget.create(
        (device.address, device.port), timeout=polling.timeout, retries=polling.retries
    )
    session = (engine, auth.pysnmp(), transport, ContextData())
    values = await fetch_scalars(session, SCALARS, polling, auth)
    for column in COLUMNS:
        values.update(await fetch_column(session, column, polling, auth))
    return values


async def fetch_scalars(
    session: tuple[Any, ...], oids: Sequence[str], polling: Polling, auth: Auth
) -> dict[str, Value]:
    indication, status, index, binds = await get_cmd(
        *session, *(ObjectType(ObjectIdentity(oid)) for oid in oids), lookupMib=False
    )
    if indication:
        raise SnmpError(describe(indication, polling, auth))
    if status:
        raise SnmpError(f"the agent answered {status.prettyPrint()} at binding {int(index)}")
    return _plain(binds)


async def fetch_column(
    session: tuple[Any, ...], column: str, polling: Polling, auth: Auth
) -> dict[str, Value]:
    values: dict[str, Value] = {}
    walk = bulk_walk_cmd(
        *session,
        0,
        MAX_REPETITIONS,
        ObjectType(ObjectIdentity(column)),
        lookupMib=False,
        lexicographicMode=False,
    )
    async for indication, status, _index, binds in walk:
        if indication:
            raise SnmpError(f"walking {column}: {describe(indication, polling, auth)}")
        if status:
            raise SnmpError(f"walking {column}: the agent answered {status.prettyPrint()}")
        values.update(_plain(binds))
        if len(values) > MAX_ROWS:
            raise SnmpError(f"walking {column}: more than {MAX_ROWS} rows")
    return values


def answers(address: str, port: int, oid: str = SYS_NAME, timeout: float = 1.0) -> bool:
    """Whether the agent answers one v2c GET (community "public") at once: it is serving."""

    async def ask() -> bool:
        engine = SnmpEngine()
        try:
            target = await UdpTransportTarget.create((address, port), timeout=timeout, retries=0)
            session = (engine, Auth().pysnmp(), target, ContextData())
            await fetch_scalars(session, [oid], Polling(timeout, 0), Auth())
        except SnmpError:
            return False
        finally:
            engine.close_dispatcher()
        return True

    return asyncio.run(ask())


def describe(indication: Any, polling: Polling, auth: Auth) -> str:
    """An error indication in words an operator can act on."""
    if isinstance(indication, errind.RequestTimedOut):
        tried = f"{polling.timeout:g}s x {polling.retries + 1} tries"
        who = "the community is wrong" if auth.user is None else "nothing listens there"
        return f"no SNMP response ({tried}): unreachable, or {who}"
    if isinstance(indication, errind.UnknownUserName):
        return f"the agent does not know SNMPv3 user {auth.user!r}"
    if isinstance(indication, errind.WrongDigest | errind.AuthenticationFailure):
        return f"SNMPv3 authentication failed for user {auth.user!r}: wrong auth key or protocol"
    if isinstance(indication, errind.DecryptionError):
        return f"SNMPv3 decryption failed for user {auth.user!r}: wrong privacy key or protocol"
    if isinstance(indication, errind.UnsupportedSecurityLevel):
        return f"the agent refuses this security level for SNMPv3 user {auth.user!r}"
    return f"SNMP error: {indication}"


def _plain(binds: Sequence[Any]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for name, value in binds:
        plain = plain_value(value)
        if plain is not None:
            values[str(name)] = plain
    return values


def plain_value(value: Any) -> Value | None:
    """A pysnmp value as str or int; the "no such thing" markers as None."""
    if isinstance(value, NoSuchObject | NoSuchInstance | EndOfMibView):
        return None
    if isinstance(value, IpAddress):
        return str(value.prettyPrint())
    if isinstance(value, OctetString):
        return bytes(value.asOctets()).decode("utf-8", errors="replace")
    if isinstance(value, ObjectIdentifier):
        return str(value)
    if isinstance(value, Integer):
        return int(value)
    return str(value.prettyPrint())
