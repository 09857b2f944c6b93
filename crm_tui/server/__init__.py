"""Provides the team's sync server: a FastAPI app over SQLModel (SQLite or PostgreSQL)."""
