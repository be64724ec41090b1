#!/usr/bin/env bash
# Test peers for the device scanners: OpenLDAP's slapd and ldap-utils from Debian (the tests
# run their own slapd on a free loopback port in a temp dir), openssl for its LDAPS
# certificate, and ldap3 and pytest-httpserver (the Graph peer) in the venv.
set -euo pipefail

VENV="${VENV:-.venv}"

if [ ! -x /usr/sbin/slapd ] || ! command -v ldapsearch >/dev/null 2>&1 \
    || ! command -v openssl >/dev/null 2>&1; then
    apt-get update
    # Keep the package's own slapd service from starting: the tests start theirs.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        slapd ldap-utils openssl
    if [ "$made_policy" = 1 ]; then
        rm -f /usr/sbin/policy-rc.d
    fi
fi

"$VENV/bin/pip" install --quiet "ldap3>=2.9" "pytest-httpserver>=1.1"
