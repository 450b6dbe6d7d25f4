"""A PIF's whole journey through the console, in a real Chromium against a real `pifai
serve` and `pifai worker` on a database of their own (web/e2e/journey.mjs, one phase per
run). The operator registers, creates the product, uploads the formula on item 3, follows
the extraction task, sees the extracted table with the over-limit preservative's finding,
fixes its concentration, and, once colleagues have supplied the other items through the
API, reads the compliance, safety and consistency screen and submits for review. The
Safety Assessor signs in with TOTP, requests a revision; the operator submits again; the
SA signs with a new code. The operator generates the signed PDF and opens it; another
organisation's operator cannot open the product by its URL. axe-core checks every screen,
each fits its viewport, and each is saved as a screenshot."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from pifai.demo import samples, steps
from pifai.demo.journey import PASSWORD, Journey, User, outbox_reader
from tests.factories.browser import SCREENSHOTS, require_browser, run_script, serve_env
from tests.factories.processes import PIFAI, free_port, offline_sources, start_serve

pytestmark = pytest.mark.browser

OWNER = "operator@brand.example"
OTHER = "operator@other.example"


class Browser:
    """The phases of web/e2e/journey.mjs, sharing a folder for sessions and screenshots."""

    def __init__(self, base_url: str, state: Path) -> None:
        self.base_url = base_url
        self.state = state
        self.results: dict[str, dict[str, Any]] = {}

    async def run(self, phase: str, **env: str) -> dict[str, Any]:
        result = await run_script(
            "journey.mjs",
            {
                "PHASE": phase,
                "BASE_URL": self.base_url,
                "STATE_DIR": str(self.state),
                "SCREENSHOTS": str(SCREENSHOTS / "journey"),
                **env,
            },
        )
        self.results[phase] = result
        return result


async def _colleagues_supply_the_rest(journey: Journey, owner: User) -> None:
    """What the operator's colleagues and laboratories provide through the API meanwhile:
    the reports and the label (without a medical claim), items 1/6/7/8, toxicology and the
    safety engine, and the operator's review of the items that have no AI step."""
    await steps.documents(journey, owner, medical_claim=False)
    await steps.checks(journey, owner, "checks", rerun=False)
    await steps.ready(journey, owner)


@pytest.mark.usefixtures("redis")  # empties the test database: registration is rate-limited
async def test_the_pif_journey_in_chromium(scratch_db: str, redis_url: str, tmp_path: Path) -> None:
    require_browser()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    shutil.rmtree(SCREENSHOTS / "journey", ignore_errors=True)
    (SCREENSHOTS / "journey").mkdir(parents=True)
    formula = tmp_path / samples.FORMULA_FILE
    formula.write_bytes(samples.formula_bytes())
    state = tmp_path / "state"
    state.mkdir()
    browser = Browser(base_url, state)
    with offline_sources() as sources:
        env = {
            **serve_env(scratch_db, redis_url, tmp_path / "data"),
            **sources,
            "PUBLIC_BASE_URL": base_url,
        }
        server = await start_serve(env, port)
        worker = await asyncio.create_subprocess_exec(
            *PIFAI, "worker", "--concurrency", "2", env=env
        )
        try:
            operator = await browser.run(
                "operator",
                EMAIL=OWNER,
                PASSWORD=PASSWORD,
                ORG_NAME="積雪草生技股份有限公司",
                PRODUCT_NAME=samples.PRODUCT_NAME,
                FORMULA_FILE=str(formula),
            )
            product_path = operator["productPath"]
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
                journey = Journey(client, outbox_reader(tmp_path / "data" / "outbox"))
                journey.result.product_id = product_path.removeprefix("/products/")
                owner = User(OWNER)
                await steps.login(journey, owner)
                sa = await steps.safety_assessor(journey, owner, "sa@brand.example")
                await _colleagues_supply_the_rest(journey, owner)
                await browser.run("submit", PRODUCT_PATH=product_path)
                revision = await browser.run(
                    "sa-revision",
                    EMAIL=sa.email,
                    PASSWORD=PASSWORD,
                    PRODUCT_NAME=samples.PRODUCT_NAME,
                    TOTP_SECRET=str(sa.totp_secret),
                    TOTP_STEP=str(sa.last_step),
                )
                await browser.run("resubmit", PRODUCT_PATH=product_path)
                await browser.run(
                    "sa-sign",
                    PRODUCT_NAME=samples.PRODUCT_NAME,
                    TOTP_SECRET=str(sa.totp_secret),
                    TOTP_STEP=str(revision["totpStep"]),
                )
                await browser.run("pdf", PRODUCT_PATH=product_path)
                await client.post(
                    "/api/v1/auth/register",
                    json={
                        "email": OTHER,
                        "password": PASSWORD,
                        "full_name": "吳經理",
                        "organization_name": "另一家品牌公司",
                    },
                )
                other = await browser.run(
                    "other-org", EMAIL=OTHER, PASSWORD=PASSWORD, PRODUCT_PATH=product_path
                )
                product = await journey.call("GET", journey.product(""), owner)
                review = await journey.call("GET", revision["reviewPath"], sa)
            verified = await asyncio.create_subprocess_exec(
                *PIFAI,
                "verify-pdf",
                str(state / "signed.pdf"),
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            verify_out, _ = await verified.communicate()
        finally:
            for process in (worker, server):
                process.terminate()
                await asyncio.wait_for(process.wait(), timeout=30)

    steps_seen = [step for result in browser.results.values() for step in result["steps"]]
    assert steps_seen == [
        "journey-registered",
        "journey-product-created",
        "journey-item-3-uploaded",
        "journey-item-3-analysed",
        "journey-formula-finding",
        "journey-formula-fixed",
        "journey-item-7-form",
        "journey-compliance",
        "journey-safety",
        "journey-consistency",
        "journey-claims",
        "journey-submitted",
        "journey-sa-queue",
        "journey-sa-revision",
        "journey-revision-seen",
        "journey-item-3-reviewed",
        "journey-resubmitted",
        "journey-sa-signed",
        "journey-pdf",
        "journey-organisation",
        "journey-tablet-formula",
        "journey-tablet-safety",
        "journey-other-organisation",
    ]
    # The extracted table: the formula file's 25 rows, the preservative's finding next to
    # its row, gone once its concentration is fixed (TFDA preservatives list, No. 35).
    assert operator["formulaRows"] == 25
    assert "1.2" in operator["findingBefore"], operator["findingBefore"]
    assert operator["findingBefore"] not in operator["findingAfter"]
    assert browser.results["submit"]["mosRows"] == 25
    for phase, result in browser.results.items():
        assert result["overflowing"] == [], phase
        assert all(found == [] for found in result["accessibility"].values()), (phase, result)
    assert verified.returncode == 0, verify_out.decode()
    # The other organisation is told the product does not exist, never that it is closed.
    product_id = product_path.removeprefix("/products/")
    assert f"GET /api/v1/products/{product_id} 404" in other["refused"]
    assert product["pif_status"] == "signed"
    assert (review["status"], review["submissions"]) == ("signed", 2)
    assert review["signature"]["method"] == "password+totp"
    assert "HeadlessChrome" in str(review["signature"]["user_agent"])  # signed in the browser
    assert {p.name for p in (SCREENSHOTS / "journey").iterdir()} >= {
        f"{step}.png" for step in steps_seen
    }
