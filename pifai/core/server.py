"""Running the API in several processes.

The parent process accepts every connection and hands it to the API processes in turn
(its file descriptor, over a Unix socket pair); each process serves what it was handed.
The kernel's own spreading falls short for keep-alive traffic, where a few long-lived
connections carry every request: with one shared listening socket, whichever process
wakes first accepts a whole burst and keeps it; with a ``SO_REUSEPORT`` socket per
process, the address hash split bench/api.py's 50 connections as unevenly as 32/18,
and the busier process set the p99. Handing over costs one hop per connection, not
per request.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import multiprocessing
import signal
import socket
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from types import FrameType
from typing import Any

import structlog
import uvicorn

log = structlog.get_logger(__name__)

API_FACTORY = "pifai.main:create_worker_app"


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class _HandedOverServer(uvicorn.Server):
    """uvicorn serving the connections that arrive on ``channel``, instead of listening."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        # The event loop keeps only weak references to tasks: hold them until done.
        self.handing_over: set[asyncio.Task[Any]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the lifespan, and no listening socket
        # What uvicorn's own start-up builds for each accepted connection.
        protocol = functools.partial(
            self.config.http_protocol_class,  # type: ignore[call-arg]
            config=self.config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._take, loop, protocol)

    def _take(
        self, loop: asyncio.AbstractEventLoop, protocol: Callable[[], asyncio.Protocol]
    ) -> None:
        try:
            message, fds, _, _ = socket.recv_fds(self.channel, 16, 16)
        except BlockingIOError:
            return
        if not message:  # the parent is gone: finish what is in flight and stop
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
            return
        for fd in fds:
            connection = socket.socket(fileno=fd)
            connection.setblocking(False)
            task = loop.create_task(loop.connect_accepted_socket(protocol, connection))
            self.handing_over.add(task)
            task.add_done_callback(self.handing_over.discard)


def _serve_one(channel: socket.socket, factory: str) -> None:
    # Our middleware writes the access log; uvicorn's would format a line per request. The
    # app reads forwarding headers itself, from TRUSTED_PROXIES only.
    config = uvicorn.Config(
        factory, factory=True, log_config=None, access_log=False, proxy_headers=False
    )
    _HandedOverServer(config, channel).run()


def _hand_over(listener: socket.socket, channels: list[socket.socket], turn: Iterator[int]) -> None:
    """Accept what is pending and give each connection to the next process in turn
    (skipping one whose queue is full); the parent's copy is then closed."""
    while True:
        try:
            connection, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        with connection:
            for _ in channels:
                try:
                    socket.send_fds(channels[next(turn)], [b"c"], [connection.fileno()])
                    break
                except BlockingIOError:
                    continue
            else:
                log.warning("every API process is saturated; connection refused")


def run_workers(host: str, port: int, workers: int, factory: str = API_FACTORY) -> int:
    """Start ``workers`` processes serving the app ``factory`` builds, hand them the
    connections, and wait. If one dies, stop the rest and return 1 so the process
    manager restarts the whole set; on SIGINT/SIGTERM stop them all and return 0."""
    # A port another program holds fails here, once, before any process starts.
    listener = _listen(host, port)
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(workers)]
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_serve_one, args=(child, factory), name=f"pifai-api-{n}")
        for n, (_, child) in enumerate(pairs)
    ]
    channels = [parent for parent, _ in pairs]
    for channel in channels:
        channel.setblocking(False)
    turn = itertools.cycle(range(workers))
    signalled = False

    def terminate_all() -> None:
        for process in processes:
            if process.pid is not None and process.is_alive():
                process.terminate()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal signalled
        signalled = True
        terminate_all()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    sentinels = []
    try:
        for process, (_, child) in zip(processes, pairs, strict=True):
            process.start()
            child.close()
            sentinels.append(process.sentinel)
        while not signalled:
            ready = wait([listener, *sentinels])
            if listener in ready:
                _hand_over(listener, channels, turn)
            ended = [p.name for p in processes if p.sentinel in ready]
            if ended and not signalled:
                log.error("API process exited; stopping the others", processes=ended)
                terminate_all()
                break
        for process in processes:
            process.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
        for channel in channels:
            channel.close()
    return 0 if signalled else 1
