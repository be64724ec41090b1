"""Every scanner kind by its name in `[[sources]] kind = ...`.

Imported on first use, so a command that runs the CMDB scanner never loads boto3 or pyvmomi.
"""

from __future__ import annotations

from importlib import import_module

from estate.config import ConfigError, Settings, SourceConfig
from scanners.base import Scanner, build_scanner

SCANNERS: dict[str, str] = {
    "aws": "scanners.aws:AwsScanner",
    "cmdb": "scanners.cmdb:CmdbScanner",
    "intune": "scanners.intune:IntuneScanner",
    "ldap": "scanners.ldap:LdapScanner",
    "redfish": "scanners.redfish:RedfishScanner",
    "snmp": "scanners.snmp:SnmpScanner",
    "vcenter": "scanners.vcenter:VcenterScanner",
}


def scanner_class(kind: str) -> type[Scanner]:
    module, name = SCANNERS[kind].split(":")
    cls: type[Scanner] = getattr(import_module(module), name)
    return cls


def scanner_for(source: SourceConfig, settings: Settings) -> Scanner:
    if source.kind not in SCANNERS:
        where = str(settings.config_path or "built-in defaults")
        raise ConfigError(
            f"{where}: sources({source.name}).kind: unknown kind {source.kind!r};"
            f" expected one of: {', '.join(sorted(SCANNERS))}"
        )
    return build_scanner({source.kind: scanner_class(source.kind)}, source, settings)


def check_sources(settings: Settings) -> None:
    """Fail at start, naming the file and key, if any source's kind or options are wrong."""
    for source in settings.sources:
        scanner_for(source, settings)
