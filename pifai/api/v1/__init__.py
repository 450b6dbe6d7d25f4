"""Version 1 of the REST API: one router per bounded context, listed here."""

from fastapi import APIRouter

api_router = APIRouter(prefix="/api/v1")

from pifai.api.v1 import admin, auth, members  # noqa: E402

api_router.include_router(auth.router)
api_router.include_router(auth.me_router)
api_router.include_router(members.router)
api_router.include_router(admin.router)
