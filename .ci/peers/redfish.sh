#!/usr/bin/env bash
# Test peers for the redfish scanner: sushy-tools' `sushy-static` (serves the mockups under
# tests/redfish/data) and `sushy-emulator --fake` (basic auth through an htpasswd file, which
# needs bcrypt), run by the tests on free loopback ports. The TLS certificates are made by the
# tests with `cryptography`. All live happily in the project's venv.
set -euo pipefail

VENV="${VENV:-.venv}"

if ! "$VENV/bin/python" -c 'import sushy_tools, bcrypt, cryptography' 2>/dev/null \
    || [ ! -x "$VENV/bin/sushy-static" ] || [ ! -x "$VENV/bin/sushy-emulator" ]; then
    "$VENV/bin/pip" install --quiet "sushy-tools>=2.0" "cryptography>=43"
fi
