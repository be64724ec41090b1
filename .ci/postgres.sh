#!/usr/bin/env bash
# Make sure the PostgreSQL that the tests use answers; start the local cluster if it is down.
# Exit 0: ready. Exit 3: none reachable (the caller skips that pass). Under CI=true, none is a failure.
set -uo pipefail
url="${ESTATE_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"

ready() { pg_isready -q -d "$url" 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  ready() { python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; }
fi

if ! ready && [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  echo "starting PostgreSQL $version cluster 'main'"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi

if ready; then exit 0; fi
if [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $url and could not be started (CI=true: failing)" >&2
  exit 1
fi
exit 3
