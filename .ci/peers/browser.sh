#!/usr/bin/env bash
# Test peer for the dashboard's browser tests: Debian's chromium (installed as root when
# missing), Playwright from PyPI to drive it (no browser download: the tests launch
# /usr/bin/chromium), and axe-core from the npm registry for the accessibility check.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV="${VENV:-.venv}"
AXE_DIR=tests/.peers/axe

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
    else
        echo "chromium is missing and this is not root: the browser tests will skip (fail under CI)"
    fi
fi

"$VENV/bin/pip" install --quiet "playwright>=1.49"

if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    if command -v npm >/dev/null 2>&1; then
        mkdir -p "$AXE_DIR"
        npm install --prefix "$AXE_DIR" --silent --no-audit --no-fund --no-save "axe-core@4"
    else
        echo "npm is missing: the accessibility check will skip (fail under CI)"
    fi
fi
