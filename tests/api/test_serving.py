"""How `estate serve` runs the app: the workers' shared socket."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from api.serving import as_tcp


def test_connections_to_the_workers_socket_get_tcp_nodelay() -> None:
    # Without TCP_NODELAY each keep-alive response waits for the client's delayed ACK.
    listener = as_tcp(uvicorn.Config("api.serving:app", port=0, log_config=None).bind_socket())

    async def accepted_nodelay() -> int:
        loop = asyncio.get_running_loop()
        seen: asyncio.Future[int] = loop.create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted = transport.get_extra_info("socket")
                seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await loop.create_server(Report, sock=listener)
        _reader, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        nodelay = await seen
        writer.close()
        server.close()
        await server.wait_closed()
        return nodelay

    assert (listener.proto, asyncio.run(accepted_nodelay()) != 0) == (socket.IPPROTO_TCP, True)
