#!/usr/bin/env bash
# Test peer for the vcenter scanner: govmomi's vcsim, built from tests/vcenter/vcsim/main.go
# with Debian's Go toolchain and govmomi sources (no module downloads), and pyVmomi in the venv.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV="${VENV:-.venv}"
GOVMOMI=/usr/share/gocode/src/github.com/vmware/govmomi/simulator
BINARY=tests/.peers/vcsim

if ! command -v go >/dev/null 2>&1 || [ ! -d "$GOVMOMI" ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        golang-go golang-github-vmware-govmomi-dev
fi

# Rebuild only when the binary is missing or older than its source.
if [ ! -x "$BINARY" ] || [ -n "$(find tests/vcenter/vcsim -name '*.go' -newer "$BINARY")" ]; then
    mkdir -p "$(dirname "$BINARY")"
    GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= go build -o "$BINARY" ./tests/vcenter/vcsim
    echo "built $BINARY"
fi

"$VENV/bin/pip" install --quiet "pyvmomi>=9.1"
