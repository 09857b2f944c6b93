"""Provides reusable widgets: the lazy record table, the query bar, the status line."""
