"""What a `kind = "snmp"` source's `options` may say, checked when the config is loaded.

Credentials given at the top level are the defaults of every target; a target's own win. The
community and the v3 keys are secrets: options name the environment variables that hold them.
Only the well-known community "public" may be written in the file.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from scanners.base import ScannerOptions

DeviceClass = Literal["switch", "router", "wireless-ap", "wireless-controller", "other"]
AuthProtocol = Literal["md5", "sha", "sha224", "sha256", "sha384", "sha512"]
# As Net-SNMP names them: aes192/aes256 extend keys per Blumenthal, the "c" forms per
# Reeder, which Cisco uses.
PrivProtocol = Literal["des", "3des", "aes", "aes192", "aes256", "aes192c", "aes256c"]
# Credentials merge by group: a target that sets any field of a group sets the whole group
# (its own community replaces the default community_env; its own user brings its own keys).
CREDENTIAL_GROUPS = (
    ("version",),
    ("community", "community_env"),
    ("user", "auth_protocol", "auth_key_env", "priv_protocol", "priv_key_env"),
)


class Credentials(ScannerOptions):
    version: Literal["2c", "3"] | None = None
    community: Literal["public"] | None = None
    community_env: str | None = None
    user: str | None = None
    auth_protocol: AuthProtocol | None = None
    auth_key_env: str | None = None
    priv_protocol: PrivProtocol | None = None
    priv_key_env: str | None = None

    def over(self, defaults: Credentials) -> Credentials:
        """These credentials, each group this does not set taken from `defaults`."""
        merged = {}
        for group in CREDENTIAL_GROUPS:
            own = any(getattr(self, f) is not None for f in group)
            merged.update({f: getattr(self if own else defaults, f) for f in group})
        return Credentials(**merged)

    def problem(self) -> str | None:
        """What is wrong with these (merged) credentials, if anything."""
        if self.version != "3":
            if self.community and self.community_env:
                return "set community or community_env, not both"
            return None
        if not self.user:
            return "SNMPv3 needs a user"
        if bool(self.auth_protocol) != bool(self.auth_key_env):
            return "SNMPv3 auth_protocol and auth_key_env go together"
        if bool(self.priv_protocol) != bool(self.priv_key_env):
            return "SNMPv3 priv_protocol and priv_key_env go together"
        if self.priv_protocol and not self.auth_protocol:
            return "SNMPv3 privacy needs authentication (auth_protocol)"
        return None


class TargetOptions(Credentials):
    """One agent: a switch, router, access point or wireless controller."""

    # The scope of its record; default address[:port].
    name: str | None = Field(default=None, min_length=1)
    address: str = Field(min_length=1)
    port: int = Field(default=161, ge=1, le=65535)
    site: str | None = None

    @property
    def scope(self) -> str:
        return self.name or self.endpoint

    @property
    def endpoint(self) -> str:
        """address, with the port where it is not SNMP's own (161)."""
        return self.address if self.port == 161 else f"{self.address}:{self.port}"


class ClassRule(ScannerOptions):
    """A device class for agents whose sysObjectID and/or sysDescr match; all given must."""

    # `class` in the file; `device_class` in Python, where `class` is a keyword.
    model_config = ConfigDict(populate_by_name=True)

    device_class: DeviceClass = Field(alias="class")
    sys_object_id_prefix: str | None = None
    # A regular expression searched in sysDescr, ignoring case.
    sys_descr_pattern: str | None = None

    @field_validator("sys_object_id_prefix")
    @classmethod
    def _dotted(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lstrip(".")
        if not re.fullmatch(r"\d+(\.\d+)*", value):
            raise ValueError("expected a dotted numeric OID such as '1.3.6.1.4.1.9'")
        return value

    @field_validator("sys_descr_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _condition(self) -> ClassRule:
        if self.sys_object_id_prefix is None and self.sys_descr_pattern is None:
            raise ValueError("a class rule needs sys_object_id_prefix or sys_descr_pattern")
        return self


class SnmpOptions(Credentials):
    """SNMP agents to poll (v2c, or v3 with authentication and privacy), each one scope."""

    targets: list[TargetOptions] = Field(min_length=1)
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    retries: int = Field(default=1, ge=0, le=10)
    # Agents polled at once.
    max_concurrency: int = Field(default=32, ge=1, le=1024)
    # Tried in order before the built-in rules; the first match wins, else "other".
    classes: list[ClassRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> SnmpOptions:
        scopes: set[str] = set()
        for index, target in enumerate(self.targets):
            where = f"targets[{index}]({target.scope})"
            problem = target.over(self).problem()
            if problem:
                raise ValueError(f"{where}: {problem}")
            if target.scope in scopes:
                raise ValueError(f"{where}: a second target with the scope {target.scope!r}")
            scopes.add(target.scope)
        return self
