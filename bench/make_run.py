"""`make run` from a fresh clone until /health answers, installs included, beside the same for
the commit before the demo told its story (the issue's "the time it takes now").

Each side is a `git clone` of this repository checked out at its commit, then `make run` on a
free port, timed from the clone's end to /health's first answer (so the virtualenvs, the
installs, the schema, the load and the server's start are all in it). The sides alternate for
`--rounds` rounds (3) and the medians are compared: one run swings with the host's load and
with what the package index and the disk are doing. bench/demo_run.py measures the same with
the installs left out.

    .venv/bin/python bench/make_run.py [--rounds 3] [--baseline cc96b7c]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from common import alternated, free_port, within_ratio, write_results

ROOT = Path(__file__).resolve().parents[1]
# The commit before `estate demo` replayed months (852e0a4): make run then scanned the exports.
BASELINE = "cc96b7c"
TARGET_RATIO = 1.5
TIMEOUT_SECONDS = 900.0


def to_health(commit: str, workdir: Path) -> float:
    """Seconds from a fresh clone at `commit` to `make run`'s /health answering."""
    clone = workdir / f"clone-{commit}-{time.monotonic_ns()}"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "ESTATE_CONFIG")}
    started = time.perf_counter()
    with (clone / "make-run.log").open("wb") as log:
        run = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=clone,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        while time.perf_counter() - started < TIMEOUT_SECONDS:
            if run.poll() is not None:
                tail = (clone / "make-run.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"make run at {commit} exited {run.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"make run at {commit}: no /health in {TIMEOUT_SECONDS:g} s")
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=60)
        shutil.rmtree(clone, ignore_errors=True)  # its venvs: hundreds of MB a round


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="commit of the baseline")
    args = parser.parse_args()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="estate-bench-make-run-") as work:
        before, after = alternated(
            args.rounds,
            lambda: to_health(args.baseline, Path(work)),
            lambda: to_health(head, Path(work)),
            (args.baseline, head),
        )
    name = (
        f"make run from a fresh clone to /health, installs included ({head} vs {args.baseline},"
        " medians of alternated rounds)"
    )
    write_results("make_run", [within_ratio(name, after, before, TARGET_RATIO)])


if __name__ == "__main__":
    main()
