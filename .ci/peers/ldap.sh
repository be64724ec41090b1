#!/usr/bin/env bash
# Test peer for the ldap scanner: OpenLDAP's slapd from Debian (run by the tests as a
# non-daemon process on a free loopback port) and ldap3 in the venv.
set -euo pipefail

VENV="${VENV:-.venv}"

if ! command -v slapd >/dev/null 2>&1 && [ ! -x /usr/sbin/slapd ]; then
    apt-get update
    # The package's own service is not wanted: the tests start their own slapd in a temp dir.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slapd ldap-utils
fi

"$VENV/bin/pip" install --quiet "ldap3>=2.9" "pytest-httpserver>=1.1"
