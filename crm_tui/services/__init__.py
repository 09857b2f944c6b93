"""Provides the use cases screens, the CLI and reminders call: one module per area.

Each function takes an open `Book` (services/book.py) and returns plain rows, dataclasses or
domain records, never a session. Screens, widgets and the CLI import only services, domain
and widgets; services import query, storage, sync, io and domain (tests/core/test_layout.py).
"""
