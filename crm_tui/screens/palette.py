"""Provides `CrmCommands`, the command palette: every destination, and "go to customer <name>".

The entries are `Destination`s (screens/shell.py) listed in screens/routing.py: each runs a
typed callable over the app, so the palette never looks a screen up by name.
"""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from crm_tui.screens.routing import destinations, open_article
from crm_tui.screens.shell import Destination, Shell


def commands() -> list[Destination]:
    """Every palette entry (`run` gets the app)."""
    return destinations()


class CrmCommands(Provider):
    """The app's commands, plus customers found by name as you type."""

    async def discover(self) -> Hits:
        app = self.app
        if not isinstance(app, Shell):
            return
        for command in commands():
            yield DiscoveryHit(command.title, partial(command.run, app), help=command.help)

    async def search(self, query: str) -> Hits:
        app = self.app
        if not isinstance(app, Shell):
            return
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
        if not words or not app.book_ready:
            return
        from crm_tui.services.desk import find_customers

        found = await asyncio.to_thread(find_customers, app.book, words, 8)
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
        # Knowledge articles by title (issue 17): read offline, opened in the reader.
        from crm_tui.services.kb import article_titles

        for article_id, title in await asyncio.to_thread(article_titles, app.book, words, 5):
            yield Hit(
                0.8,
                f"Article {title}",
                partial(open_article, app, article_id),
                text=f"Article {title}",
                help="Read this knowledge article",
            )
