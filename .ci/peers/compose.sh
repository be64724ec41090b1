#!/usr/bin/env bash
# A real Compose implementation to validate docker-compose.yml (`docker-compose config` needs
# no Docker engine): Debian's docker-compose; PyYAML in the venv to read what it prints.
set -euo pipefail

VENV="${VENV:-.venv}"

if ! command -v docker-compose >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-compose
fi

"$VENV/bin/pip" install --quiet "pyyaml>=6"
