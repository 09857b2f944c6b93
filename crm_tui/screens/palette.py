"""Provides `CrmCommands`, the command palette: every action, and "go to customer <name>".

Other parts of the app add their own commands with `register_command` (e.g. the sync
conflicts screen), so the palette stays the one list of everything the app can do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class Command:
    title: str
    help: str
    run: Callable[[Any], None]  # gets the app


_EXTRA: list[Command] = []


def register_command(title: str, help: str, run: Callable[[Any], None]) -> None:
    """Add a command to the palette (`run` gets the app)."""
    _EXTRA.append(Command(title, help, run))


def _then(app: Any, mode: str, action: str) -> None:
    """Go to a section, then run one of its screen's actions (e.g. 'new')."""
    app.action_section(mode)

    def run() -> None:
        method = getattr(app.screen, f"action_{action}", None)
        if callable(method):
            method()

    app.call_after_refresh(run)


def _push(app: Any, module: str, name: str) -> None:
    if not app.db_ready:
        app.notify("Opening the database…", timeout=2)
        return
    import importlib

    screen_type = getattr(importlib.import_module(f"crm_tui.screens.{module}"), name)
    app.push_screen(screen_type(app.db))


def commands() -> list[Command]:
    built_in = [
        Command("Go to desk", "Today's desk", lambda app: app.action_section("desk")),
        Command("Go to customers", "All customers", lambda app: app.action_section("customers")),
        Command(
            "Go to follow-ups",
            "Calls, visits and tasks",
            lambda app: app.action_section("followups"),
        ),
        Command(
            "Go to deals",
            "Opportunities: list and board",
            lambda app: app.action_section("opportunities"),
        ),
        Command("Go to expenses", "Expense claims", lambda app: app.action_section("expenses")),
        Command("New customer", "Add a customer", partial(_then, mode="customers", action="new")),
        Command(
            "New follow-up",
            "Schedule a call, visit or task",
            partial(_then, mode="followups", action="new"),
        ),
        Command(
            "Deals board",
            "The pipeline by stage, with totals",
            partial(_then, mode="opportunities", action="show_board"),
        ),
        Command(
            "New deal", "Add an opportunity", partial(_then, mode="opportunities", action="new")
        ),
        Command(
            "New expense claim",
            "Claim money spent (receipt, customer or deal)",
            partial(_then, mode="expenses", action="new"),
        ),
        Command(
            "Competitors",
            "Who we are up against",
            partial(_push, module="competitors", name="CompetitorsScreen"),
        ),
        Command(
            "Announcements",
            "News from the managers",
            partial(_push, module="announcements", name="AnnouncementsScreen"),
        ),
        Command(
            "Import a file",
            "Customers, contacts, follow-ups or deals from CSV or vCard, with a preview",
            partial(_push, module="import_preview", name="ImportScreen"),
        ),
        Command("Undo", "Undo your last change on this screen", lambda app: app.action_undo()),
        Command("Keys", "Every key on this screen", lambda app: app.action_help()),
        Command("Quit", "Leave crm", lambda app: app.exit()),
    ]
    return built_in + _EXTRA


class CrmCommands(Provider):
    """The app's commands, plus customers found by name as you type."""

    async def discover(self) -> Hits:
        app = self.app
        for command in commands():
            yield DiscoveryHit(command.title, partial(command.run, app), help=command.help)

    async def search(self, query: str) -> Hits:
        app = self.app
        matcher = self.matcher(query)
        for command in commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.title),
                    partial(command.run, app),
                    help=command.help,
                )
        words = query.strip()
        for prefix in ("go to customer", "customer", "goto"):
            if words.lower().startswith(prefix):
                words = words[len(prefix) :].strip()
                break
        if not words or not getattr(app, "db_ready", False):
            return
        found = await asyncio.to_thread(app.db.repos.customers.search, words, 8)
        for customer in found:
            label = f"Go to customer {customer.name}"
            if customer.city:
                label += f" ({customer.city})"
            yield Hit(
                0.9,
                label,
                partial(app.open_record, "customer", customer.id),
                text=label,
                help="Open the customer's page",
            )
