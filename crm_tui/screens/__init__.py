"""Provides the screens: one module per screen.

Bases are in screens/base.py (`CrmScreen`, `ListScreen`), the app as screens see it in
screens/shell.py (`Shell`, `book_of`), and which screen shows what in screens/routing.py.
"""

# TRANSITION: screens not yet moved to `crm_tui.screens.base` still import the bases from
# here; this re-export goes once they have (it imports no screen, so it makes no circle).
from crm_tui.screens.base import CrmScreen, ListScreen

__all__ = ["CrmScreen", "ListScreen"]
