"""kind = "ldap": Active Directory computer objects over LDAP or LDAPS, with a paged search."""

from scanners.ldap.fetch import fetch_computers
from scanners.ldap.options import LdapOptions
from scanners.ldap.scanner import LdapScanner
from scanners.ldap.transform import department_lookup, filetime, transform_computer

__all__ = [
    "LdapOptions",
    "LdapScanner",
    "department_lookup",
    "fetch_computers",
    "filetime",
    "transform_computer",
]
