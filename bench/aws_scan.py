"""AWS scan of 3 accounts x 3 regions: scopes in parallel against one after another, in the
same run, against the same moto server behind a TCP proxy that adds 50 ms to each request.

moto's server runs as its own process (so its CPU does not share the scanner's GIL), with an
Organization of three accounts reached by assume-role and every resource type in each scope.
The scanner's way is `AwsScanner.collect()` with a pool of nine workers; the baseline is the
same scanner with one worker. Both must give the same records, equal to what moto holds.
Target: parallel in <= 0.3x the sequential time.

    .venv/bin/python bench/aws_scan.py
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import Result, write_results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the estate builder lives with the tests

from estate.config import Settings, SourceConfig  # noqa: E402
from estate.inventory.records import Event, ScopeEnd, WorkloadRecord  # noqa: E402
from scanners.aws import AwsScanner  # noqa: E402
from scanners.aws.options import ALL_SERVICES, AwsOptions  # noqa: E402
from tests.aws.seed import ROLE, build_organization, moto_holds, seed_all  # noqa: E402
from tests.peers import free_port, wait_for_port  # noqa: E402

REGIONS = ["eu-west-2", "eu-west-1", "us-east-1"]
DELAY_S = 0.05
RUNS = 3
TARGET_RATIO = 0.3
# moto has no MGN; the tests serve it locally, the bench leaves it out of both sides.
SERVICES = [service for service in ALL_SERVICES if service != "mgn"]


class LatencyProxy:
    """Forwards TCP to `upstream`, holding each request DELAY_S before it goes on. It runs as a
    process of its own: a network's latency costs the scanner no CPU, so the proxy must not
    take turns with the scanner's threads for the interpreter lock."""

    def __init__(self, upstream_port: int, delay: float) -> None:
        self.port = free_port()
        context = multiprocessing.get_context("spawn")
        self._count = context.Value("i", 0)
        self._ready = context.Event()
        self._process = context.Process(
            target=_proxy_process,
            args=(self.port, upstream_port, delay, self._count, self._ready),
            daemon=True,
        )

    @property
    def requests(self) -> int:
        return int(self._count.value)

    def start(self) -> LatencyProxy:
        self._process.start()
        if not self._ready.wait(60):
            raise RuntimeError("the latency proxy did not start within 60 s")
        return self

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(timeout=5)


def _proxy_process(port: int, upstream_port: int, delay: float, count: Any, ready: Any) -> None:
    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        # A request begins with the first bytes the client sends after an answer (or at once).
        waiting = {"request": True}

        async def upstream() -> None:
            while data := await reader.read(65536):
                if waiting["request"]:
                    waiting["request"] = False
                    with count.get_lock():
                        count.value += 1
                    await asyncio.sleep(delay)
                upstream_writer.write(data)
                await upstream_writer.drain()
            upstream_writer.close()

        async def downstream() -> None:
            while data := await upstream_reader.read(65536):
                waiting["request"] = True
                writer.write(data)
                await writer.drain()
            writer.close()

        await asyncio.gather(upstream(), downstream(), return_exceptions=True)

    async def serve() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, timeout=60)
    url = f"http://127.0.0.1:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
    return process, url


def scan(endpoint: str, workers: int) -> tuple[float, list[Event]]:
    options = {
        "accounts": "organization",
        "assume_role": ROLE,
        "regions": REGIONS,
        "endpoint_url": endpoint,
        "services": SERVICES,
        "max_workers": workers,
    }
    source = SourceConfig(name="bench", kind="aws", options=options)
    scanner = AwsScanner(source, AwsOptions(**options), Settings())
    started = time.perf_counter()
    events = list(scanner.collect())
    return time.perf_counter() - started, events


def check(events: list[Event], held: set[tuple[str, str, str, str]]) -> None:
    ends = [e for e in events if isinstance(e, ScopeEnd)]
    assert len(ends) == 9 and all(e.complete for e in ends), ends
    found = {
        (str(e.account_id), str(e.region), e.resource_type, e.resource_id)
        for e in events
        if isinstance(e, WorkloadRecord)
    }
    assert found == held, (len(found), len(held))


def main() -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}.items():
        os.environ[name] = value
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    moto, url = start_moto()
    try:
        estate = build_organization(url, members=2, suspended=0, regions=REGIONS)
        seed_all(estate, instances=12)
        held = moto_holds(estate)
        proxy = LatencyProxy(int(url.rsplit(":", 1)[1]), DELAY_S).start()
        endpoint = f"http://127.0.0.1:{proxy.port}"
        sequential: list[float] = []
        parallel: list[float] = []
        for _ in range(RUNS):
            for workers, times in ((1, sequential), (9, parallel)):
                seconds, events = scan(endpoint, workers)
                check(events, held)
                times.append(seconds)
        requests = proxy.requests // (2 * RUNS)
        proxy.stop()
    finally:
        moto.terminate()
        moto.wait(timeout=30)
    fast, slow = statistics.median(parallel), statistics.median(sequential)
    write_results(
        "aws_scan",
        [
            Result(
                "3 accounts x 3 regions, 50 ms/request: parallel (9 workers) vs sequential",
                round(fast, 2),
                "s",
                round(slow, 2),
                f"<= {TARGET_RATIO}x",
                fast <= TARGET_RATIO * slow,
            ),
            Result("requests per scan (through the proxy)", requests, "requests"),
            Result("workloads per scan", len(held), "records"),
        ],
    )


if __name__ == "__main__":
    main()
