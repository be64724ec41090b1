#!/usr/bin/env bash
# Test peer for the snmp scanner: snmpsim's command responder, serving the recorded walks
# under tests/snmp/data. It runs from its own venv (tests/.peers/snmpsim-venv) with pysmi,
# which snmpsim needs but does not declare, and cryptography for v3 privacy. Kept out of the
# project's venv because pysnmp there would pick pysmi up and spend seconds building a MIB
# compiler on every scan. The project's venv needs pysnmp and cryptography for the scanner.
set -euo pipefail

VENV="${VENV:-.venv}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SNMPSIM_VENV="${SNMPSIM_VENV:-$ROOT/tests/.peers/snmpsim-venv}"

# SNMPSIM_ONLY=1 (make run, while the project's venv is being made beside it): snmpsim's venv alone.
if [ -z "${SNMPSIM_ONLY:-}" ] && ! "$VENV/bin/python" -c 'import pysnmp, cryptography' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "pysnmp>=7.1,<8" "cryptography>=43"
fi

if [ ! -x "$SNMPSIM_VENV/bin/snmpsim-command-responder" ] \
    || ! "$SNMPSIM_VENV/bin/python" -c 'import snmpsim, pysmi, cryptography' 2>/dev/null; then
    PYTHON="$("$VENV/bin/python" -c 'import sys; print(sys.executable)' 2>/dev/null || echo "${PYTHON:-python3}")"
    if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
        PYTHON=python3
    fi
    "$PYTHON" -m venv "$SNMPSIM_VENV"
    "$SNMPSIM_VENV/bin/pip" install --quiet "snmpsim>=1.1" "pysmi>=1.5" "pysnmp>=7.1,<8" \
        "cryptography>=43"
fi
