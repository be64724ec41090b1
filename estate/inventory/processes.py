"""Processes on this host: who is running a scan run, and whether that process still lives.

A scan run records the host and pid of its process (estate.inventory.liveness); on SQLite,
which is one machine, that is how a run whose process died is told from one still working.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# A process started this long after a run began cannot be the one that began it (the kernel's
# boot time is kept in whole seconds).
_START_SLACK = timedelta(seconds=2)


@dataclass(frozen=True)
class Worker:
    host: str
    pid: int


def this_process() -> Worker:
    return Worker(socket.gethostname(), os.getpid())


def process_alive(pid: int, since: datetime) -> bool:
    """Whether process `pid` on this host is alive and is the one that was running at `since`
    (a newer process given the same pid is not; nor is a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, another user's
    seen = _process_stat(pid)
    if seen is None:
        return True  # not Linux, or it went meanwhile: the kill above says it was there
    zombie, started = seen
    return not zombie and started <= since + _START_SLACK


def _process_stat(pid: int) -> tuple[bool, datetime] | None:
    """Whether the process has exited unreaped (a zombie), and when it started, from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
    except (OSError, StopIteration):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ", which may hold spaces
    ticks = int(fields[19])  # field 22 of proc(5): start time in clock ticks since boot
    seconds = int(boot.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")
    return fields[0] in ("Z", "X"), datetime.fromtimestamp(seconds, tz=UTC)
