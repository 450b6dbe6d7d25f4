"""Version 1 of the REST API: one router per bounded context, listed here."""

from fastapi import APIRouter

api_router = APIRouter(prefix="/api/v1")

from pifai.api.v1 import (  # noqa: E402
    admin,
    auth,
    ingredients,
    knowledge,
    members,
    pif,
    products,
    regulatory,
    tasks,
)

# Routes are matched one by one, in this order: the most requested come first.
api_router.include_router(products.router)
api_router.include_router(pif.router)
api_router.include_router(tasks.router)
api_router.include_router(auth.router)
api_router.include_router(auth.me_router)
api_router.include_router(members.router)
api_router.include_router(admin.router)
api_router.include_router(knowledge.router)
api_router.include_router(ingredients.router)
api_router.include_router(regulatory.router)
