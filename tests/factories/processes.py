"""Real `pifai` processes for the tests that run them: a free port, and `pifai serve`
started and waited for until `/readyz` answers."""

from __future__ import annotations

import asyncio
import socket
import sys

import httpx

PIFAI = [sys.executable, "-m", "pifai.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def start_serve(
    env: dict[str, str], port: int, *args: str, ready_within_s: float = 60
) -> asyncio.subprocess.Process:
    """`pifai serve` on 127.0.0.1:``port`` (with ``args``), once it reports ready."""
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
