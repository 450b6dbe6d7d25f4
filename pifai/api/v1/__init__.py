"""Version 1 of the REST API: one router per bounded context."""

from fastapi import APIRouter

api_router = APIRouter(prefix="/api/v1")
