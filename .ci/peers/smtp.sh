#!/usr/bin/env bash
# Test peer for the outbox and the scheduler: aiosmtpd (run by the tests on a free loopback
# port with STARTTLS and AUTH) and cryptography to make its certificate at test time.
set -euo pipefail

VENV="${VENV:-.venv}"

"$VENV/bin/pip" install --quiet "aiosmtpd>=1.4.6" "cryptography>=42"
