"""`estate demo`: the Northbridge demo council loaded through the real scanners, mid-migration.

From the start (`[migration] baseline_date` of the demo config, or --start) it replays a month
at a time with the clock set to that month (time-machine, for the demo only): that month's CMDB
and infrastructure exports, the cloud workloads cut over in a local AWS (moto) and scanned by
the `aws` source, the cloud programme's plan and the capital assets team's reviews, written
through the same estate functions the API calls. The last pass is today, on the real clock.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from api.cli import demo_story as story
from api.cli.app import app, err, out, state
from api.cli.commands import EXAMPLES, prepare, summarise
from api.cli.demo_aws import Cloud, local_aws
from api.cli.demo_plan import Reviews, plan_migration, retire_hosts
from api.cli.demo_wifi import Agents, WifiUnavailable, find_responder, local_wifi
from estate.access.tokens import create_token
from estate.config import ConfigError, Settings
from estate.config.loading import load_settings
from estate.db import session_scope
from estate.db.schema import upgrade
from estate.models import ScanRun
from estate.operations.runs import any_runs
from estate.refresh import refresh_derived
from estate.status import Role
from scanners.runner import run_source

MONTHS = 18
SEED = 2026
# The sources of today's pass, summarised at the end.
TODAY = 5


@app.command()
def demo(
    examples: Annotated[
        Path, typer.Option(help="Folder holding estate.example.toml and demo/.")
    ] = EXAMPLES,
    start: Annotated[
        str | None,
        typer.Option(help="First month replayed (YYYY-MM-DD); default migration.baseline_date."),
    ] = None,
    months: Annotated[int, typer.Option(min=1, max=60, help="Months replayed before today.")] = (
        MONTHS
    ),
    token: Annotated[
        bool, typer.Option("--token/--no-token", help="Create and print a viewer token.")
    ] = True,
    snmpsim: Annotated[
        str | None,
        typer.Option(
            envvar="ESTATE_DEMO_SNMPSIM",
            help="snmpsim-command-responder serving the Wi-Fi (default: the one on PATH).",
        ),
    ] = None,
) -> None:
    """Load the demo estate (examples/demo) through the real scanners, replaying its months."""
    settings = state.settings()
    try:
        demo_settings = load_settings(examples / "estate.example.toml")
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    demo_settings.database = settings.database
    first = _first_month(demo_settings, start, months)
    engine = state.engine(demo_settings)
    upgrade(engine)
    with Session(engine) as session:
        if any_runs(session):
            out.print(f"the demo is already loaded in {engine.url!r}: nothing to do")
            raise typer.Exit(0)
    code = prepare(demo_settings, [s.name for s in demo_settings.sources])
    if code:
        raise typer.Exit(code)
    responder = find_responder(snmpsim)
    runs = replay(engine, demo_settings, examples / "demo", first, months, responder)
    summarise(runs[-TODAY:])
    if token:
        _print_token(engine)
    raise typer.Exit(0 if all(r.status == "ok" for r in runs) else 1)


def _first_month(settings: Settings, given: str | None, months: int) -> date:
    today = settings.today()
    try:
        first = date.fromisoformat(given) if given else settings.migration.baseline_date
    except ValueError:
        err.print(f"--start: {given!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    first = first or story.month(today.replace(day=1), -months)
    if story.month(first, months - 1) >= today:
        err.print(f"--start {first}: {months} months from it do not end before today ({today})")
        raise typer.Exit(2)
    return first


def replay(
    engine: Engine,
    settings: Settings,
    files: Path,
    first: date,
    months: int,
    snmpsim: str | None = None,
) -> list[ScanRun]:
    """Every month from the first, then today; the scan runs, in order."""
    exports = Exports(files)
    runs: list[ScanRun] = []
    reviews = Reviews(first)
    with ExitStack() as stack:
        work = stack.enter_context(tempfile.TemporaryDirectory(prefix="estate-demo-"))
        # snmpsim first: it indexes its recordings while moto starts and the first month loads.
        wifi = _wifi(stack, files / "snmp", snmpsim)
        url = stack.enter_context(local_aws(SEED))
        cloud = Cloud(url)
        month_settings = _pointed(settings, Path(work), url, wifi.targets if wifi else [])
        wifi_source = next((s.name for s in month_settings.sources if s.kind == "snmp"), None)
        with _clock(first) as clock:
            for n in range(months + 1):
                day = story.month(first, n)
                clock(day if n < months else None)
                exports.write(Path(work), n)
                names = _sources(cloud, exports.trips, n, months)
                # The access points stay put: read for the baseline, they stay present after.
                if wifi and wifi_source and n == 0 and _ready(wifi):
                    names.append(wifi_source)
                runs += [run_source(engine, month_settings, name) for name in names]
                with session_scope(engine) as session:
                    _month_writes(session, month_settings, exports, reviews, n, months)
                out.print(f"{day if n < months else 'today'}: {_line(runs[-len(names) :])}")
    return runs


def _wifi(stack: ExitStack, walks: Path, snmpsim: str | None) -> Agents | None:
    """The Wi-Fi agents, starting while the replay runs; none, said why, where no snmpsim
    is found."""
    if snmpsim is None:
        out.print("Wi-Fi: no snmpsim found (make run installs one in .demo/): left out")
        return None
    return stack.enter_context(local_wifi(walks, snmpsim))


def _ready(wifi: Agents) -> bool:
    try:
        wifi.ready()
    except WifiUnavailable as exc:
        out.print(f"Wi-Fi: {exc}: left out", highlight=False)
        return False
    return True


def _sources(cloud: Cloud, trips: dict[str, story.Journey], n: int, months: int) -> list[str]:
    """The month's cloud changes made, and the sources to run: the server exports every month,
    AWS in the months the cloud changed and today, the applications at the start and today,
    and the asset register today (it is one export, not a monthly one)."""
    names = ["cmdb-servers", "infra-servers"]
    for wave, (_, _, end) in enumerate(story.WAVES, start=1):
        if end == n:
            cloud.cut_over([t for t in trips.values() if t.cutover == n], wave)
            names.append("aws")
    if n == 0:
        names.append("applications")
    if n == months:
        cloud.utilisation(datetime.now(UTC))
        names += ["aws", "applications", "asset-register"]
    return names


class Exports:
    """The month's CMDB and infrastructure exports, written where the month's sources read."""

    def __init__(self, files: Path) -> None:
        self.cmdb_header, self.cmdb = story.read_rows(files / "cmdb-servers.csv")
        self.infra_header, self.infra = story.read_rows(files / "infra-servers.csv", ";")
        self.trips = story.journeys(self.cmdb)

    def unplanned(self) -> list[str]:
        """Host names of the servers no application plans for: the CMDB's with no applications
        and the infrastructure team's the CMDB lacks."""
        return story.unplanned(self.cmdb, self.infra, self.trips)

    def write(self, folder: Path, n: int) -> None:
        gone = {h for h, t in self.trips.items() if t.gone is not None and t.gone <= n}
        cmdb = story.cmdb_export(self.cmdb_header, self.cmdb, self.trips, n)
        infra = story.infra_export(self.infra_header, self.infra, self.cmdb, gone)
        (folder / "cmdb-servers.csv").write_text(cmdb, encoding="utf-8")
        (folder / "infra-servers.csv").write_text(infra, encoding="utf-8")


def _month_writes(
    session: Session, settings: Settings, exports: Exports, reviews: Reviews, n: int, months: int
) -> None:
    """The month's daily refresh (as the scheduler's), and the people's part: the plan at the
    start, the hosts retired after the third wave, the capital assets team's reviews (none yet
    today)."""
    refresh_derived(session, settings, date.today())
    if n == 0:
        plan_migration(session, settings, reviews.first, exports.unplanned())
    if n == story.HOSTS_RETIRED_IN:
        retire_hosts(session, settings)
    if n < months:
        reviews.month(session, settings, n)


def _pointed(settings: Settings, work: Path, url: str, wifi: list[dict[str, Any]]) -> Settings:
    """The demo config with the month's exports, the local AWS and the Wi-Fi agents served
    in place of its own."""
    sources = []
    for source in settings.sources:
        options = dict(source.options)
        enabled = True
        if source.name in ("cmdb-servers", "infra-servers"):
            options["path"] = str(work / f"{source.name}.csv")
        if source.kind == "aws":
            options["endpoint_url"] = url
        if source.kind == "snmp":
            options["targets"] = wifi or options.get("targets")
            enabled = bool(wifi)
        sources.append(source.model_copy(update={"options": options, "enabled": enabled}))
    return settings.model_copy(update={"sources": sources})


@contextmanager
def _clock(first: date) -> Iterator[Callable[[date | None], None]]:
    """The process's clock (time-machine: every thread's), set by the function yielded to 02:00
    UTC of a day and moving on from there; None puts the real clock back."""
    import time_machine

    traveller = time_machine.travel(_at_two(first), tick=True)
    coordinates = traveller.start()
    running = True

    def set_day(day: date | None) -> None:
        nonlocal running
        if day is not None:
            coordinates.move_to(_at_two(day))
        elif running:
            traveller.stop()
            running = False

    try:
        yield set_day
    finally:
        if running:
            traveller.stop()


def _at_two(day: date) -> datetime:
    return datetime.combine(day, time(2, 0), tzinfo=UTC)


def _line(runs: list[ScanRun]) -> str:
    return ", ".join(f"{r.source} {r.status} +{r.added} ~{r.changed} -{r.missing}" for r in runs)


def _print_token(engine: Engine) -> None:
    with session_scope(engine) as session:
        token = create_token(session, "demo-viewer", Role.VIEWER)
    out.print(f"demo viewer token (this demo database only): {token}", highlight=False)
