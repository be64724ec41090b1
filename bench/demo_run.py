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
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import alternated, free_port, fresh_database, within_ratio, write_results

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
    with tempfile.TemporaryDirectory() as workdir:

        def loaded(load: list[str]) -> float:
            with fresh_database("sqlite", workdir) as url:
                return to_health(url, workdir, load)

        before, after = alternated(
            rounds,
            lambda: loaded(["scan", "--all"]),
            lambda: loaded(["demo", "--no-token"]),
            ("exports once", "demo"),
        )
    name = (
        "schema + estate demo (18 months) + serve to /health, vs the exports scanned once"
        " (medians of alternated rounds)"
    )
    write_results("demo_run", [within_ratio(name, after, before, TARGET_RATIO)])


if __name__ == "__main__":
    main()
