"""Provides the API router that gathers every resource's router."""

from fastapi import APIRouter

from crm_tui.server.api.routes import auth, health, sync

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(sync.router)
