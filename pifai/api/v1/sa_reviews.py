"""The SA review: an operator submits the working draft; the Safety Assessor of the
organisation, or an outside assessor with a grant, reviews, sends it back or signs it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from pifai.api.deps import (
    CurrentPrincipal,
    CurrentUser,
    MetaDep,
    OrgSession,
    PageDep,
    ReferenceDep,
    RequireOperator,
    RuntimeDep,
    SettingsDep,
    TransactionalRoute,
)
from pifai.api.downloads import content_disposition
from pifai.models.sa import SaReview, SaReviewComment
from pifai.schemas.sa import (
    CommentOut,
    ProductReviewOut,
    ReviewDetailOut,
    ReviewItemOut,
    ReviewOut,
    ReviewPage,
    ReviewUpdateIn,
    RevisionIn,
    SignatureOut,
    SignedOut,
    SignIn,
    SubmitReviewIn,
)
from pifai.services.auth import verify_totp_for_user
from pifai.services.pif import files
from pifai.services.pif.expiry import today_in
from pifai.services.products import get_product_for_org
from pifai.services.sa import reviews, signing, submission
from pifai.services.sa.access import ReviewAccess, get_review_for_reviewer, record_assessor_access
from pifai.services.sa.reviews import Comment

router = APIRouter(tags=["sa"], route_class=TransactionalRoute)
# Checked after the review is found and the role allowed: a stranger gets 404, an
# operator 403, and only then does a missing or spent code answer 401.
TotpHeader = Annotated[str | None, Header(description="A fresh two-factor code, never used before")]


def review_out(
    review: SaReview, product_name: str, *, external: bool, min_confidence: float | None = None
) -> ReviewOut:
    signature = None
    if review.status == "signed" and review.signed_by and review.signed_at:
        signature = SignatureOut(
            version_number=review.version_number or 0,
            signed_by=review.signed_by,
            signer_name=review.signer_name,
            signer_org_id=review.signer_org_id,
            qualification_ref=review.qualification_ref,
            signed_at=review.signed_at,
            ip=review.signature_ip,
            user_agent=review.signature_user_agent,
            method=review.signature_method,
            sha256=review.signed_sha256 or "",
            remediation_plan=review.remediation_plan,
        )
    return ReviewOut(
        id=review.id,
        org_id=review.org_id,
        product_id=review.product_id,
        product_name=product_name,
        status=review.status,
        assigned_sa_id=review.assigned_sa_id,
        submitted_at=review.submitted_at,
        submissions=review.submissions,
        min_confidence=min_confidence,
        external=external,
        final_assessment=review.final_assessment,
        signature=signature,
    )


def comment_out(comment: SaReviewComment) -> CommentOut:
    return CommentOut.model_validate(comment, from_attributes=True)


def _comments(body: RevisionIn | ReviewUpdateIn) -> list[Comment]:
    return [Comment(c.item_number, c.body.strip()) for c in body.comments]


@router.post("/products/{product_id}/pif/submit-review", response_model=ReviewOut, status_code=201)
async def submit_review(
    product_id: uuid.UUID,
    user: RequireOperator,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
    body: SubmitReviewIn | None = None,
) -> ReviewOut:
    """Send the working draft to the Safety Assessor. 409 `items_not_ready` with the
    blocking items while a mandatory item (all but 14) is not at least `ai_draft_ready`;
    409 `review_open` while a review is pending or in review. After a revision request,
    submitting again reopens the same review. Mails the assigned SA, or every SA of the
    organisation and every assessor granted the product."""
    review = await submission.submit(
        session,
        settings,
        user,
        product_id,
        assigned_sa_id=body.assigned_sa_id if body else None,
        meta=meta,
    )
    product = await get_product_for_org(session, product_id, user.org_id)
    return review_out(review, product.name, external=False)


@router.get("/products/{product_id}/review", response_model=ProductReviewOut)
async def product_review(
    product_id: uuid.UUID, user: CurrentUser, session: OrgSession
) -> ProductReviewOut:
    """The product's newest SA review and its comments, for the organisation's own users:
    where it stands, and what a revision request asks for."""
    product = await get_product_for_org(session, product_id, user.org_id)
    review = await reviews.latest_review_for_org(session, product.id, user.org_id)
    if review is None:
        return ProductReviewOut(review=None, comments=[])
    return ProductReviewOut(
        review=review_out(review, product.name, external=False),
        comments=[comment_out(c) for c in await reviews.comments_of(session, review)],
    )


@router.get("/sa/pending", response_model=ReviewPage)
async def pending_reviews(
    user: CurrentPrincipal, session: OrgSession, page: PageDep, meta: MetaDep
) -> ReviewPage:
    """Reviews waiting for the signed-in SA (their organisation's, and those of products
    granted to them): products with a red-confidence item first, then the oldest."""
    entries, total = await reviews.pending(
        session, user, limit=page.limit, offset=page.offset, meta=meta
    )
    return ReviewPage(
        items=[
            review_out(
                e.review,
                e.product_name,
                external=e.review.org_id != user.org_id,
                min_confidence=e.min_confidence,
            )
            for e in entries
        ],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


async def _detail(
    access: ReviewAccess, session: OrgSession, reference: ReferenceDep
) -> ReviewDetailOut:
    shown = await reviews.detail(session, reference, access)
    base = review_out(
        access.review,
        shown["product"].name,
        external=access.external,
        min_confidence=shown["min_confidence"],
    )
    return ReviewDetailOut(
        **base.model_dump(),
        engine_assessment=access.review.engine_assessment,
        items=[ReviewItemOut(**item) for item in shown["items"]],
        comments=[comment_out(c) for c in shown["comments"]],
        consistency=shown["consistency"],
        safety=shown["safety"],
        findings=shown["findings"],
    )


@router.get("/sa/reviews/{review_id}", response_model=ReviewDetailOut)
async def get_review(
    review_id: uuid.UUID,
    user: CurrentPrincipal,
    session: OrgSession,
    reference: ReferenceDep,
    meta: MetaDep,
) -> ReviewDetailOut:
    """The review: the 16 items with the engine's drafts and their files, the findings,
    the safety engine's table, the consistency alerts and the comments. The first look
    takes a pending review into review."""
    access = await get_review_for_reviewer(session, user, review_id, meta=meta, action="view")
    await reviews.open_review(session, access, meta)
    return await _detail(access, session, reference)


@router.put("/sa/reviews/{review_id}", response_model=ReviewDetailOut)
async def update_review(
    review_id: uuid.UUID,
    body: ReviewUpdateIn,
    user: CurrentPrincipal,
    signer: CurrentUser,
    session: OrgSession,
    settings: SettingsDep,
    reference: ReferenceDep,
    meta: MetaDep,
    x_totp_code: TotpHeader = None,
) -> ReviewDetailOut:
    """Edits of item content, the final assessment and comments per item. Needs a fresh
    two-factor code (header `X-TOTP-Code`)."""
    access = await get_review_for_reviewer(
        session, user, review_id, meta=meta, action="update", for_update=True
    )
    await verify_totp_for_user(session, settings, signer, x_totp_code, meta)
    await reviews.update_review(
        session,
        access,
        final_assessment=body.final_assessment,
        edits=[(e.item_number, e.content) for e in body.edits],
        comments=_comments(body),
        meta=meta,
    )
    return await _detail(access, session, reference)


@router.post("/sa/reviews/{review_id}/revision", response_model=ReviewOut)
async def request_revision(
    review_id: uuid.UUID,
    body: RevisionIn,
    user: CurrentPrincipal,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
) -> ReviewOut:
    """Back to the operator with comments (at least one); the named items (and those the
    comments name) return to `uploaded`. Mails the organisation's operators."""
    access = await get_review_for_reviewer(
        session, user, review_id, meta=meta, action="revision", for_update=True
    )
    await reviews.request_revision(
        session, settings, access, comments=_comments(body), items=body.items, meta=meta
    )
    product = await get_product_for_org(session, access.review.product_id, access.org_id)
    return review_out(access.review, product.name, external=access.external)


@router.post("/sa/reviews/{review_id}/sign", response_model=SignedOut)
async def sign_review(
    review_id: uuid.UUID,
    body: SignIn,
    user: CurrentPrincipal,
    signer: CurrentUser,
    session: OrgSession,
    reference: ReferenceDep,
    runtime: RuntimeDep,
    meta: MetaDep,
    x_totp_code: TotpHeader = None,
) -> SignedOut:
    """Sign with a fresh two-factor code (`X-TOTP-Code`). Refused with 409
    `signing_blocked` while a blocking consistency alert is open (whatever is written),
    422 `remediation_plan_required` while an error alert is open without the plan, 403
    when the qualification is missing or expired. Approves the items, marks the product
    signed and freezes the next PIF version; the response carries its SHA-256."""
    access = await get_review_for_reviewer(
        session, user, review_id, meta=meta, action="sign", for_update=True
    )
    await verify_totp_for_user(session, runtime.settings, signer, x_totp_code, meta)
    version = await signing.sign(
        session,
        reference,
        access,
        signer,
        final_assessment=body.final_assessment,
        remediation_plan=body.remediation_plan,
        today=today_in(runtime.settings.expiry_timezone),
        meta=meta,
    )
    product = await get_product_for_org(session, access.review.product_id, access.org_id)
    return SignedOut(
        review=review_out(access.review, product.name, external=access.external),
        version=version.number,
        snapshot_sha256=version.snapshot_sha256 or "",
    )


@router.get("/sa/reviews/{review_id}/files/{file_id}", response_class=StreamingResponse)
async def download_review_file(
    review_id: uuid.UUID,
    file_id: uuid.UUID,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    meta: MetaDep,
) -> StreamingResponse:
    """A file of the reviewed product, as uploaded."""
    access = await get_review_for_reviewer(session, user, review_id, meta=meta, action="download")
    record = await files.get_file_for_org(session, access.review.product_id, file_id, access.org_id)
    if access.external:
        await record_assessor_access(
            session, access, "download_file", meta, {"file_id": str(record.id)}
        )
    download = await files.open_download(runtime.storage, runtime.keyring, record)
    return StreamingResponse(
        download.chunks,
        media_type=record.content_type,
        headers={"Content-Disposition": content_disposition(record.original_filename)},
    )
