"""The app as `estate serve` runs it: in one process, or in each of `--workers N`.

uvicorn starts worker processes afresh and imports their app by name (`api.serving:app`), so
each one reads the configuration again: the file that the serving command read (passed on as
ESTATE_CONFIG) and the same ESTATE_* environment. The scheduler never runs in a worker, only
in the serving process.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import socket
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from api.app import create_app
from estate.config import Settings
from estate.config.loading import load_settings
from estate.operations.logs import configure_logging, uvicorn_log_config

# uvicorn kills a worker that has not answered its supervisor's ping within this (default 5 s);
# on a busy host a worker still importing the app takes longer, and was killed and restarted
# in a loop, never serving.
WORKER_HEALTHCHECK_SECONDS = 60
log = logging.getLogger("estate.serve")


def serving_app(settings: Settings) -> FastAPI:
    """create_app, then the collector told to leave alone what is loaded by now (gc.freeze):
    a full collection then walks only what requests allocate, not all of SQLAlchemy, pydantic
    and FastAPI, and no longer stalls every request in flight for tens of milliseconds."""
    app = create_app(settings)
    gc.collect()
    gc.freeze()
    return app


def app() -> FastAPI:
    """The factory each worker process calls."""
    settings = load_settings()
    configure_logging(settings.logging)
    return serving_app(settings)


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until stopped: in this process, or in `workers` processes sharing one socket."""
    options: dict[str, Any] = {"host": host, "port": port, "log_config": uvicorn_log_config()}
    if workers == 1:
        server = uvicorn.Server(uvicorn.Config(serving_app(settings), **options))
        threading.Thread(
            target=_announce_when_started, args=(server, settings), daemon=True
        ).start()
        server.run()
        return
    if settings.config_path is not None:
        os.environ["ESTATE_CONFIG"] = str(settings.config_path)
    config = uvicorn.Config(
        "api.serving:app",
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **options,
    )
    announce(settings, host, port)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[as_tcp(config.bind_socket())]).run()


def _announce_when_started(server: uvicorn.Server, settings: Settings) -> None:
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()
    announce(settings, bound[0], bound[1])


def announce(settings: Settings, host: str, port: int) -> None:
    """The first lines a new user needs once the port answers: where to sign in, where the API
    is described, and the command that makes a token to sign in with."""
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else shown}:{port}"
    config = f" --config {settings.config_path}" if settings.config_path else ""
    log.info("estate is serving: sign in at %s/signin, the API is described at %s/docs", base, base)
    log.info(
        "a token to sign in with: estate%s token create --name YOUR-NAME --role viewer"
        " (or infra, assets, admin)",
        config,
    )


def as_tcp(listener: socket.socket) -> socket.socket:
    """The same listening socket, marked IPPROTO_TCP. uvicorn binds it with protocol 0, and
    asyncio sets TCP_NODELAY only on connections accepted from a socket marked TCP: without it
    every keep-alive response waits ~40 ms for the client's delayed ACK (uvicorn issue 3149)."""
    tcp = socket.socket(listener.family, listener.type, socket.IPPROTO_TCP, listener.detach())
    tcp.set_inheritable(True)
    return tcp
