#!/usr/bin/env bash
# Test peers for the fault suite (tests/faults): PostgreSQL's server programs from Debian, to run
# a cluster of a test's own (initdb, pg_ctl) that it stops and starts, never the shared one; as
# root they run as the `postgres` user the package makes. (The package's own cluster is the
# shared server that .ci/postgres.sh starts.) The Graph and SMTP peers come from ldap.sh and
# smtp.sh.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! id postgres >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
fi
