"""`make run` after installing: schema, demo load and serving until /health answers, on SQLite.

The baseline, in the same run, is what `make run` loaded before the demo told its story: the
four demo exports scanned once (`estate scan --all` on the example config). The target is the
issue's: no more than 1.5x. Each is run `--rounds` times (3), alternately, and the medians
compared. (From a fresh clone both also pay for the virtualenv's install,
which this leaves out: it is the same for both and dwarfs them on a busy host.)
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import Result, fresh_database, write_results

ROOT = Path(__file__).resolve().parents[1]
ESTATE = str(Path(sys.executable).with_name("estate"))
TARGET_RATIO = 1.5
# The demo's Wi-Fi agents, as `make run` serves them (its venv), else the tests' snmpsim.
RESPONDER = "bin/snmpsim-command-responder"
SNMPSIM = next(
    (
        str(venv / RESPONDER)
        for venv in (ROOT / ".demo" / "snmpsim-venv", ROOT / "tests" / ".peers" / "snmpsim-venv")
        if (venv / RESPONDER).exists()
    ),
    "",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def to_health(url: str, workdir: str, load: list[str]) -> float:
    """Seconds from an empty database to /health answering, loading with `load`."""
    config = Path(workdir) / f"{time.monotonic_ns()}.toml"
    example = (ROOT / "examples" / "estate.example.toml").read_text(encoding="utf-8")
    config.write_text(example.replace('url = "sqlite:///estate.db"', f'url = "{url}"'))
    # Relative paths of the example's sources resolve against the config's folder.
    exports = Path(workdir) / "demo"
    if not exports.exists():
        exports.symlink_to(ROOT / "examples" / "demo")
    started = time.perf_counter()
    estate = [ESTATE, "--config", str(config)]
    subprocess.run([*estate, "db", "upgrade"], check=True, capture_output=True)
    env = {**os.environ, "ESTATE_DEMO_SNMPSIM": SNMPSIM}
    subprocess.run([*estate, *load], capture_output=True, check=False, env=env)
    port = free_port()
    server = subprocess.Popen([*estate, "serve", "--port", str(port)], stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    befores, afters = [], []
    # Alternated, and the median of each kept: one run of either swings with the host's load.
    with tempfile.TemporaryDirectory() as workdir:
        for n in range(rounds):
            with fresh_database("sqlite", workdir) as url:
                befores.append(to_health(url, workdir, ["scan", "--all"]))
            with fresh_database("sqlite", workdir) as url:
                afters.append(to_health(url, workdir, ["demo", "--no-token"]))
            print(f"round {n + 1}: exports once {befores[-1]:.1f} s, demo {afters[-1]:.1f} s")
    before, after = statistics.median(befores), statistics.median(afters)
    write_results(
        "demo_run",
        [
            Result(
                "schema + estate demo (18 months) + serve to /health, vs the exports scanned"
                " once (medians of alternated rounds)",
                round(after, 1),
                "s",
                round(before, 1),
                f"<= {TARGET_RATIO}x",
                after <= TARGET_RATIO * before,
            )
        ],
    )


if __name__ == "__main__":
    main()
