"""`pifai serve --workers N`: one migration, N API processes, clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from tests.factories.processes import free_port, start_serve

SERVE = [sys.executable, "-m", "pifai.cli", "serve", "--host", "127.0.0.1"]


def _api_processes(parent: int) -> set[int]:
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if ppid == parent and b"spawn_main" in command:
            found.add(int(proc.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


def _env(database_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
    }


@pytest.mark.usefixtures("redis")  # empties the test database: registration is rate-limited
async def test_two_processes_serve_requests_and_stop_on_sigterm(
    scratch_db: str, redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    server = await start_serve(_env(scratch_db, redis_url, tmp_path), port, "--workers", "2")
    workers = _api_processes(server.pid)
    assert len(workers) == 2

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        # The parent migrated the empty database before starting the processes.
        registered = await client.post(
            "/api/v1/auth/register",
            json={
                "email": "owner@example.com",
                "password": "a long enough password",
                "full_name": "Owner",
                "organization_name": "Org",
            },
        )
        assert registered.status_code == 202, registered.text

    server.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(server.wait(), timeout=30) == 0
    assert not _alive(workers)


async def test_keep_alive_connections_are_spread_evenly(
    scratch_db: str, redis_url: str, tmp_path: Path
) -> None:
    """Each process gets its turn of the connections, so that a few long-lived ones do
    not all land on one process while the other idles."""
    port = free_port()
    server = await start_serve(_env(scratch_db, redis_url, tmp_path), port, "--workers", "2")
    workers = _api_processes(server.pid)
    streams = [await asyncio.open_connection("127.0.0.1", port) for _ in range(10)]
    try:
        for reader, writer in streams:  # one request on each: handed over and served
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
        held = {
            pid: sum(
                1
                for c in psutil.Process(pid).net_connections("tcp")
                if c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED
            )
            for pid in workers
        }
        assert sorted(held.values()) == [5, 5], held
    finally:
        for _, writer in streams:
            writer.close()
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), timeout=30) == 0


async def test_a_dead_process_stops_the_set_with_an_error(
    scratch_db: str, redis_url: str, tmp_path: Path
) -> None:
    """The process manager sees the failure and restarts the whole set."""
    server = await start_serve(_env(scratch_db, redis_url, tmp_path), free_port(), "--workers", "2")
    workers = _api_processes(server.pid)
    os.kill(min(workers), signal.SIGKILL)
    assert await asyncio.wait_for(server.wait(), timeout=30) == 1
    assert not _alive(workers)


async def test_several_processes_need_external_servers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    process = await asyncio.create_subprocess_exec(
        *SERVE,
        "--port",
        str(free_port()),
        "--workers",
        "2",
        env={**env, "DATA_DIR": str(tmp_path)},
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert b"DATABASE_URL" in stderr


async def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_ip_lock(
    scratch_db: str, redis_url: str, tmp_path: Path
) -> None:
    """With TRUSTED_PROXIES unset, a client that names another address in X-Forwarded-For
    on every attempt is still counted under its own (the server's own proxy-header
    handling would have believed it from 127.0.0.1)."""
    port = free_port()
    server = await start_serve(_env(scratch_db, redis_url, tmp_path), port, "--workers", "2")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            statuses = []
            for attempt in range(6):
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"email": f"nobody{attempt}@example.com", "password": "wrong password"},
                    headers={"X-Forwarded-For": f"198.51.100.{attempt + 1}"},
                )
                statuses.append(response.status_code)
        assert statuses == [401] * 5 + [429]
    finally:
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), timeout=30) == 0
