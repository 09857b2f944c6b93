"""Provides the screens: one module per screen.

Bases are in screens/base.py (`CrmScreen`, `ListScreen`), the app as screens see it in
screens/shell.py (`Shell`, `book_of`), and which screen shows what in screens/routing.py.
"""
