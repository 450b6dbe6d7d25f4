"""The browser tests' plumbing: what they need (the console build, its packages, Debian's
Chromium), and a web/e2e script run with node, its one-line JSON result parsed."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = WEB / "e2e" / "screenshots"  # kept after the run, git-ignored


def require_browser() -> None:
    """`make test` builds the console and installs its packages; `.ci/run` installs
    Chromium. Without them the test fails saying what to install, never skips."""
    needs = {
        "the console build (make web)": (WEB / "dist" / "index.html").is_file(),
        "web/node_modules (cd web && npm ci)": (WEB / "node_modules" / "playwright-core").is_dir(),
        f"Chromium at {CHROMIUM} (apt-get install chromium)": Path(CHROMIUM).is_file(),
        "node": shutil.which("node") is not None,
    }
    if missing := [name for name, present in needs.items() if not present]:
        pytest.fail("the browser test needs " + ", ".join(missing))


def serve_env(database_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    """`pifai serve` (and its workers) serving the built console over plain http."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DATA_DIR": str(data_dir),
        "CONSOLE_DIR": str(WEB / "dist"),
        "SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "LOG_LEVEL": "WARNING",
    }


async def run_script(script: str, env: dict[str, str]) -> dict[str, Any]:
    """web/e2e/``script`` with ``env``; its result, which must list no problem."""
    browser = await asyncio.create_subprocess_exec(
        "node",
        f"e2e/{script}",
        cwd=WEB,
        env={**os.environ, "CHROMIUM": CHROMIUM, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(browser.communicate(), timeout=180)
    lines = stdout.decode().strip().splitlines()
    assert lines, f"the browser script printed nothing: {stderr.decode()}"
    result: dict[str, Any] = json.loads(lines[-1])
    assert result["problems"] == [], result
    assert browser.returncode == 0
    return result
