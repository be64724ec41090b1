#!/usr/bin/env bash
# Test peers for the aws scanner: moto's server (ThreadedMotoServer, started by the tests on a
# free loopback port; Flask and flask-cors come with the [server] extra) and pytest-httpserver,
# which serves the local Application Migration Service that moto lacks. boto3 is the scanner's
# own runtime dependency; it is checked here too so a bare venv can run tests/aws.
set -euo pipefail

VENV="${VENV:-.venv}"

if ! "$VENV/bin/python" -c 'import boto3, moto.server, flask, flask_cors, pytest_httpserver' \
    2>/dev/null; then
    "$VENV/bin/pip" install --quiet "boto3>=1.35" "moto[server]>=5.1" "pytest-httpserver>=1.1"
fi
