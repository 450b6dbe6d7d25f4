"""Running the API in several processes.

uvicorn's own ``--workers`` shares one listening socket: whichever process wakes first
accepts a whole burst of connections and keeps them (keep-alive), so one process can
serve everything while the other idles. Here each process binds its own socket with
``SO_REUSEPORT`` and the kernel spreads new connections across them.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from multiprocessing.connection import wait
from types import FrameType

import structlog

log = structlog.get_logger(__name__)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


API_FACTORY = "pifai.main:create_worker_app"


def _serve_one(host: str, port: int, factory: str) -> None:
    import uvicorn

    config = uvicorn.Config(factory, factory=True, log_config=None)
    uvicorn.Server(config).run(sockets=[_listen(host, port)])


def run_workers(host: str, port: int, workers: int, factory: str = API_FACTORY) -> int:
    """Start ``workers`` processes serving the app ``factory`` builds, and wait. If one
    dies, stop the rest and return 1 so the process manager restarts the whole set; on
    SIGINT/SIGTERM stop them all."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise RuntimeError("several API processes need SO_REUSEPORT (Linux, BSD, macOS)")
    # A port another program holds fails here, once, rather than in every process.
    _listen(host, port).close()
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_serve_one, args=(host, port, factory), name=f"pifai-api-{n}")
        for n in range(workers)
    ]
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
    try:
        for process in processes:
            process.start()
        ended = wait([process.sentinel for process in processes])
        if not signalled:
            dead = [p.name for p in processes if p.sentinel in ended]
            log.error("API process exited; stopping the others", processes=dead)
            terminate_all()
        for process in processes:
            process.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if signalled else 1
