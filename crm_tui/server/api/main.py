"""Provides the API router that gathers every resource's router."""

from fastapi import APIRouter

from crm_tui.server.api.routes import auth, blobs, health, sync

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(sync.router)
api_router.include_router(blobs.router)  # issue 17: file content
