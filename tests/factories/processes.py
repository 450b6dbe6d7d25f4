"""Real `pifai` processes for the tests that run them: a free port, `pifai serve` started
and waited for until `/readyz` answers, and PubChem and ECHA offline for their workers."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

PIFAI = [sys.executable, "-m", "pifai.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def start_serve(
    env: dict[str, str], port: int, *args: str, ready_within_s: float = 180
) -> asyncio.subprocess.Process:
    """`pifai serve` on 127.0.0.1:``port`` (with ``args``), once it reports ready: on a
    fresh database its migrations and the regulatory import take a minute on a busy machine."""
    server = await asyncio.create_subprocess_exec(
        *PIFAI, "serve", "--host", "127.0.0.1", "--port", str(port), *args, env=env
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(int(ready_within_s * 10)):
            assert server.returncode is None, "pifai serve exited during start-up"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    server.kill()
    raise AssertionError(f"pifai serve {' '.join(args)} did not become ready in {ready_within_s} s")


class _NotFound(BaseHTTPRequestHandler):
    """PubChem and ECHA CHEM, offline: every substance is unknown to them."""

    def do_GET(self) -> None:
        body = b'{"Fault": {"Code": "PUGREST.NotFound", "Message": "No CID found"}}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def offline_sources() -> Iterator[dict[str, str]]:
    """The settings that point PubChem and ECHA at a local server knowing no substance
    (the workers' toxicology look-ups end at once, on the shipped reference data)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield {"PUBCHEM_BASE_URL": url, "ECHA_BASE_URL": url, "PUBCHEM_MAX_PER_SECOND": "1000"}
    finally:
        server.shutdown()
