"""Version 1 of the REST API: one router per bounded context, listed here."""

from fastapi import APIRouter

from pifai.api.v1 import (
    admin,
    assessor_grants,
    auth,
    claims,
    compliance,
    consistency,
    expiring,
    ingredients,
    knowledge,
    members,
    pif,
    pif_document,
    pif_schemas,
    pif_versions,
    products,
    regulatory,
    sa,
    sa_reviews,
    safety,
    tasks,
    toxicology,
)

PREFIX = "/api/v1"

# Included one by one under PREFIX rather than through one parent router: every level of
# nesting is matched twice per request. Routes are tried in this order: the most
# requested first.
ROUTERS: tuple[APIRouter, ...] = (
    products.router,
    # Before pif.router, whose /{item_number} would take /download and /generate.
    pif_document.router,
    pif.router,
    tasks.router,
    auth.router,
    auth.me_router,
    members.router,
    admin.router,
    knowledge.router,
    ingredients.router,
    regulatory.router,
    compliance.router,
    safety.router,
    toxicology.router,
    consistency.router,
    expiring.router,
    pif_schemas.router,
    sa.router,
    sa_reviews.router,
    assessor_grants.router,
    pif_versions.router,
    claims.router,
)
