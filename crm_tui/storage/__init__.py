"""Provides the local SQLite store: engine, migrations, repositories and full-text search.

Never imports Textual (a test enforces it).
"""
