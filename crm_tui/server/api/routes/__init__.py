"""Provides the routers: health, auth (enrolment) and sync (push / pull)."""
