#!/usr/bin/env bash
# schemathesis for tests/api/test_schemathesis.py (property-based checks of the served OpenAPI).
set -euo pipefail

VENV="${VENV:-.venv}"

if ! "$VENV/bin/python" -c 'import schemathesis' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "schemathesis>=4.3"
fi
