"""Provides the server's settings, database sessions and token handling."""
