"""The stages of the demo journey, in order (see `pifai.demo.journey` for the plumbing)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from pifai.demo import samples
from pifai.demo.journey import PASSWORD, DemoError, Findings, Journey, Result, User

# Remediation plan the SA writes when `error` consistency alerts remain open (the label's
# text against items 1 and 3, typically): signing needs one of at least 20 characters.
REMEDIATION = (
    "標籤將於下一批次改版，使全成分與品名與第 1、3 項一致；改版前不出貨。 "
    "The label is reprinted for the next batch to match items 1 and 3; no shipment before."
)
FINAL_ASSESSMENT = (
    "本人已審閱本產品之配方、毒理資料與安全限量計算，於正常及可合理預見之使用條件下，"
    "評估本產品對人體健康為安全。 Having reviewed the formula, the toxicological data and the "
    "margins of safety, I assess the product as safe for human health under normal and "
    "reasonably foreseeable conditions of use."
)


async def run(journey: Journey) -> Result:
    """The whole journey; every stage timed in ``journey.result.stages``."""
    owner, sa = await _organisation(journey)
    assessor = await _assessor_account(journey)
    await _product(journey, owner, assessor)
    await _formula(journey, owner)
    await documents(journey, owner)
    journey.result.before = await checks(journey, owner, "checks", rerun=False)
    await _fix(journey, owner)
    journey.result.after = await checks(journey, owner, "rerun", rerun=True)
    await ready(journey, owner)
    await _review(journey, owner, sa, assessor)
    await _pdf(journey, owner)
    return journey.result


async def _register(journey: Journey, email: str, org_name: str, org_type: str) -> User:
    user = User(email)
    await journey.call(
        "POST",
        "/auth/register",
        expect=(202,),
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": "陳品管 Chen (demo operator)",
            "organization_name": org_name,
            "organization_type": org_type,
        },
    )
    token = await journey.read_token(email, "verify-email")
    await journey.call("POST", "/auth/verify-email", json={"token": token})
    await login(journey, user)
    return user


async def login(journey: Journey, user: User) -> None:
    body: dict[str, Any] = {"email": user.email, "password": PASSWORD}
    if user.totp_secret:
        body["totp_code"] = await user.totp_code()
    tokens = await journey.call("POST", "/auth/login", json=body)
    user.token = tokens["access_token"]


async def _invite(journey: Journey, admin: User, email: str, name: str) -> User:
    await journey.call(
        "POST",
        "/org/members",
        admin,
        expect=(201,),
        json={"email": email, "role": "sa", "full_name": name},
    )
    token = await journey.read_token(email, "accept-invite")
    await journey.call(
        "POST", "/auth/accept-invite", json={"token": token, "new_password": PASSWORD}
    )
    user = User(email)
    await login(journey, user)
    return user


async def _organisation(journey: Journey) -> tuple[User, User]:
    suffix = journey.suffix
    async with journey.stage("organisation, operator and SA") as detail:
        owner = await _register(
            journey, f"owner-{suffix}@demo.example", f"範例生技 Demo Biotech {suffix}", "brand"
        )
        sa = await safety_assessor(journey, owner, f"sa-{suffix}@demo.example")
        journey.result.users.update(owner=owner, sa=sa)
        detail.append(f"owner {owner.email}, SA {sa.email}, TOTP codes computed with pyotp")
    return owner, sa


async def safety_assessor(journey: Journey, admin: User, email: str) -> User:
    """An SA member invited by ``admin``, with two-factor authentication (codes from
    pyotp) and a current qualification."""
    sa = await _invite(journey, admin, email, "林安評 Lin (SA)")
    setup = await journey.call("POST", "/auth/setup-2fa", sa)
    sa.totp_secret = setup["secret"]
    await journey.call("POST", "/auth/verify-2fa", sa, json={"code": await sa.totp_code()})
    await journey.call(
        "PUT",
        "/sa/qualification",
        sa,
        json={
            "certificate_reference": f"SA-DEMO-{journey.suffix}",
            "issuing_body": "Demo safety assessor training institute",
            "valid_from": (journey.today - timedelta(days=365)).isoformat(),
            "valid_until": (journey.today + timedelta(days=2 * 365)).isoformat(),
        },
    )
    return sa


async def _assessor_account(journey: Journey) -> User:
    suffix = journey.suffix
    async with journey.stage("external assessor's organisation") as detail:
        lab = await _register(
            journey, f"lab-{suffix}@demo.example", f"外部安評顧問 Assessors {suffix}", "consultant"
        )
        assessor = await _invite(journey, lab, f"assessor-{suffix}@demo.example", "黃外評")
        journey.result.users["assessor"] = assessor
        detail.append(assessor.email)
    return assessor


async def _product(journey: Journey, owner: User, assessor: User) -> None:
    async with journey.stage("product and assessor grant") as detail:
        product = await journey.call(
            "POST",
            "/products",
            owner,
            expect=(201,),
            json={
                "name": samples.PRODUCT_NAME,
                "name_en": samples.PRODUCT_NAME_EN,
                "product_type": "leave_on_face",
                "sccs_category": "face_cream",
                "dosage_form": "乳霜 cream",
            },
        )
        journey.result.product_id = product["id"]
        await journey.call(
            "POST",
            "/assessor-grants",
            owner,
            expect=(201,),
            json={"email": assessor.email, "product_ids": [product["id"]]},
        )
        token = await journey.read_token(assessor.email, "invitations")
        granted = await journey.call(
            "POST", "/sa/invitations/accept", assessor, json={"token": token}
        )
        detail.append(f"{samples.PRODUCT_NAME} / {samples.PRODUCT_NAME_EN}")
        detail.append(f"grant {granted[0]['status']} for {assessor.email}")


async def _formula(journey: Journey, owner: User) -> None:
    async with journey.stage("formula extraction") as detail:
        await journey.upload(owner, 3, samples.FORMULA_FILE, samples.formula_bytes())
        started = await journey.call(
            "POST",
            journey.product("/pif/analyze"),
            owner,
            expect=(202,),
            json={"item_numbers": [3]},
        )
        for task in started["tasks"]:
            await journey.wait_done(task["task_id"], owner)
        rows = await journey.call("GET", journey.product("/ingredients"), owner)
        journey.result.ingredients = len(rows["items"])
        journey.result.resolved = sum(1 for r in rows["items"] if r["ingredient_id"])
        chinese = [r for r in rows["items"] if r["raw_name"] == samples.CHINESE_ONLY_NAME]
        detail.append(
            f"{journey.result.ingredients} rows, {journey.result.resolved} resolved in the "
            "ingredient dictionary"
        )
        if chinese:
            journey.result.chinese_only_inci = chinese[0]["inci"]
            detail.append(f"{samples.CHINESE_ONLY_NAME} -> {chinese[0]['inci']}")


async def documents(journey: Journey, owner: User, *, medical_claim: bool = True) -> None:
    """The reports and the label (``medical_claim``: with the demo's red claim) uploaded
    and read by the rules, and items 1, 6, 7 and 8 filled in."""
    label = samples.label_pdf(with_claim=medical_claim)
    async with journey.stage("reports and label (report facts)") as detail:
        for sample in [*samples.report_files(journey.today), label]:
            await journey.upload(owner, sample.item, sample.filename, sample.content)
        read = 0
        for task_id in await journey.pending_tasks(owner, "report.extract"):
            await journey.wait_done(task_id, owner)
            read += 1
        for number, content in samples.form_items(journey.today).items():
            await operator_reviews(journey, owner, number, content)
        detail.append(f"8 files uploaded, {read} reports read by the rules, items 1/6/7/8 filled")


READY = ("ai_draft_ready", "human_reviewed", "approved")


async def operator_reviews(
    journey: Journey, owner: User, number: int, content: dict[str, object] | None = None
) -> None:
    """The operator's content (when given) and review of an item without an AI step,
    along the item's allowed transitions (missing -> uploaded -> human_reviewed)."""
    path = journey.product(f"/pif/{number}")
    body: dict[str, object] = {"content": content} if content is not None else {}
    item = await journey.call("GET", path, owner)
    while item["status"] not in READY:
        allowed = item["allowed_transitions"]
        step = "human_reviewed" if "human_reviewed" in allowed else "uploaded"
        if step not in allowed:
            raise DemoError(f"item {number} cannot be reviewed from {item['status']}")
        item = await journey.call("PUT", path, owner, json={**body, "status": step})
        body = {}
    if body:
        await journey.call("PUT", path, owner, json=body)


async def _findings(journey: Journey, owner: User) -> Findings:
    compliance = await journey.call("GET", journey.product("/compliance"), owner)
    consistency = await journey.call("GET", journey.product("/consistency"), owner)
    claims = await journey.call(
        "POST", journey.product("/claims/check"), owner, json={"from_upload": True}
    )
    await journey.call(
        "POST",
        journey.product("/claims/acknowledge"),
        owner,
        expect=(201,),
        json={"from_upload": True, "result_sha256": claims["result_sha256"]},
    )
    red = [
        str(part.get("text"))
        for claim in claims["result"].get("claims", [])
        for part in claim.get("parts", [])
        if part.get("verdict") == "red"
    ]
    # Read again: the acknowledged red claim is itself a consistency alert.
    consistency = await journey.call("GET", journey.product("/consistency"), owner)
    return Findings(
        compliance=[f for f in compliance["findings"] if f["severity"] != "info"],
        consistency=[a for a in consistency["alerts"] if a["severity"] != "warning"],
        red_claims=red,
    )


async def checks(journey: Journey, owner: User, label: str, *, rerun: bool) -> Findings:
    async with journey.stage(f"{label}: toxicology") as detail:
        started = await journey.call("POST", journey.product("/toxicology"), owner, expect=(202,))
        task = await journey.wait_task(started["task_id"], owner, give_up_on_retry=True)
        state = task["status"] if not task["error"] else f"{task['status']} ({task['error']})"
        journey.result.toxicology = state
        detail.append(f"task {state[:120]}; the shipped reference data is used (offline)")
    async with journey.stage(f"{label}: safety engine") as detail:
        started = await journey.call(
            "POST", journey.product("/safety/assess"), owner, expect=(202,)
        )
        await journey.wait_done(started["task_id"], owner)
        safety = await journey.call("GET", journey.product("/safety"), owner)
        journey.result.verdict = safety["verdict"]
        with_mos = [(i["ingredient"], i["mos"]) for i in safety["ingredients"] if i["mos"]]
        if with_mos:
            journey.result.lowest_mos = min(with_mos, key=lambda pair: pair[1])
        detail.append(f"verdict {safety['verdict']}, {len(with_mos)} MoS computed")
    async with journey.stage(f"{label}: compliance, consistency, claims") as detail:
        found = await _findings(journey, owner)
        detail.append(
            f"{len(found.compliance)} compliance findings, {len(found.consistency)} "
            f"consistency alerts (blocking/error), {len(found.red_claims)} red claims"
        )
        for finding in found.compliance:
            journey.reporter.note(f"  [{finding['severity']}] {finding['message']}")
        for alert in found.consistency:
            journey.reporter.note(f"  [{alert['severity']}] {alert['message'].get('en')}")
        for claim in found.red_claims:
            journey.reporter.note(f"  [red claim] {claim}")
    return found


async def _fix(journey: Journey, owner: User) -> None:
    async with journey.stage("operator fixes preservative and claim") as detail:
        rows = (await journey.call("GET", journey.product("/ingredients"), owner))["items"]
        written = []
        for row in rows:
            concentration = row["concentration"]
            if row["inci"].upper() == samples.OVER_LIMIT_INCI.upper():
                concentration = samples.FIXED_PCT
            elif row["is_balance"] or row["inci"].upper() == "WATER":
                concentration = round(concentration + samples.OVER_LIMIT_PCT - samples.FIXED_PCT, 4)
            written.append(
                {
                    "name": row["inci"] or row["raw_name"],
                    "raw_name": row["raw_name"],
                    "cas": row["cas"],
                    "concentration": concentration,
                    "function": row["function"],
                }
            )
        await journey.call("PUT", journey.product("/ingredients"), owner, json={"rows": written})
        label = samples.label_pdf(with_claim=False)
        await journey.upload(owner, label.item, label.filename, label.content)
        detail.append(
            f"{samples.OVER_LIMIT_INCI} {samples.OVER_LIMIT_PCT} % -> {samples.FIXED_PCT} %; "
            f"label without '{samples.MEDICAL_CLAIM}'"
        )


async def ready(journey: Journey, owner: User) -> None:
    async with journey.stage("items ready for review") as detail:
        overview = await journey.call("GET", journey.product("/pif"), owner)
        for number in overview["blocking_items"]:
            await operator_reviews(journey, owner, number)
        detail.append(f"operator reviewed items {overview['blocking_items'] or 'none'}")


async def _review(journey: Journey, owner: User, sa: User, assessor: User) -> None:
    async with journey.stage("SA review and signature") as detail:
        review = await journey.call(
            "POST", journey.product("/pif/submit-review"), owner, expect=(201,)
        )
        journey.result.review_id = review["id"]
        seen = await journey.call("GET", f"/sa/reviews/{review['id']}", assessor)
        detail.append(f"the outside assessor opened the review ({len(seen['items'])} items)")
        consistency = await journey.call("GET", journey.product("/consistency"), owner)
        errors = [a for a in consistency["alerts"] if a["severity"] == "error"]
        if not consistency["signable"]:
            raise DemoError(f"blocking alerts remain: {consistency['alerts']}")
        body = {"final_assessment": FINAL_ASSESSMENT}
        if errors:
            body["remediation_plan"] = REMEDIATION
        signed = await journey.call(
            "POST",
            f"/sa/reviews/{review['id']}/sign",
            sa,
            headers={"X-TOTP-Code": await sa.totp_code()},
            json=body,
        )
        journey.result.signed_version = signed["version"]
        journey.result.snapshot_sha256 = signed["snapshot_sha256"]
        detail.append(
            f"signed version {signed['version']} with a pyotp code"
            + (f", remediation plan for {len(errors)} error alerts" if errors else "")
        )


async def _pdf(journey: Journey, owner: User) -> None:
    async with journey.stage("signed PIF PDF") as detail:
        version = journey.result.signed_version
        started = await journey.call(
            "POST",
            journey.product("/pif/generate"),
            owner,
            expect=(202,),
            json={"version": version},
        )
        await journey.wait_done(started["task_id"], owner)
        pdf = await journey.call("GET", journey.product(f"/pif/download?version={version}"), owner)
        if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
            raise DemoError("the download is not a PDF")
        journey.result.pdf = pdf
        journey.result.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        detail.append(f"{len(pdf) // 1024} KiB, sha256 {journey.result.pdf_sha256[:16]}...")
