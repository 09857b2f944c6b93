"""Provides `CrmScreen` and `ListScreen`, the bases every section screen shares.

Screens take a `Book` (crm_tui/services/book.py) and reach the app through `Shell`
(screens/shell.py); which screen shows what is decided in screens/routing.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from crm_tui.domain.filter import AllOf, AnyOf, Filter, OneOf
from crm_tui.domain.urgency import total
from crm_tui.screens.crm_screen import CrmScreen as CrmScreen  # the desk imports it alone
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import RecordTable
from crm_tui.widgets.saved_views import SavedViews

if TYPE_CHECKING:
    from crm_tui.services.lists import ListPages

# The list services load SQLAlchemy: ListScreen imports them in its methods, so the desk
# (a CrmScreen) paints before the ORM is imported.


class ListScreen(CrmScreen):
    """A section that is one lazy table with the `/` query bar above it."""

    entity: ClassVar[str]
    noun: ClassVar[str] = "rows"
    initial_query: ClassVar[str] = ""  # what the bar holds when the screen opens

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "v",
            "views",
            "Views",
            show=False,
            id="list.views",
            tooltip="Saved views of this screen (f2-f12 run bound ones)",
        ),
        Binding(
            "w",
            "why",
            "Why urgent",
            show=False,
            id="list.why",
            tooltip="How this row's urgency score is made",
        ),
    ]
    """v shows the saved views (f2-f12 run bound ones); w explains a row's urgency."""

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.query_text = self.initial_query
        self.kept: set[str] = set()  # rows moved out of the filter that stay in view

    def base_filter(self) -> Filter:
        """What this screen always applies (e.g. the follow-up view); the bar adds to it."""
        return Filter(self.entity)

    def make_source(self) -> ListPages:
        from crm_tui.services import lists

        return lists.source(self.book, self.entity, self.opening_filter())

    def opening_filter(self) -> Filter:
        """The base filter with the bar's opening query (`initial_query`), if any."""
        if not self.query_text:
            return self.base_filter()
        from crm_tui.services import lists

        try:
            return self.base_filter().merged(lists.compile(self.book, self.entity, self.query_text))
        except lists.QueryError:
            return self.base_filter()

    def columns(self) -> list[Any]:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        from crm_tui.services import views

        book = self.book
        yield SavedViews(views.SavedViews(book), self.entity, lambda: self.query_text, id="views")
        yield from self.compose_top()
        yield QueryBar(
            self.query_text,
            entity=self.entity,
            screen_key=self.entity,
            id="query",
            values=lambda field, prefix: views.distinct_values(book, self.entity, field, prefix),
            history=views.history(book),
        )
        yield RecordTable(
            self.columns(),
            self.make_source(),
            noun=self.noun,
            id="table",
            empty=f"No {self.noun} match.",
            row_style=self.row_style,
        )

    def compose_top(self) -> ComposeResult:
        yield from ()

    def row_style(self, row: dict[str, Any]) -> str | None:
        """A style for a row that needs the rep's eye (e.g. red when overdue)."""
        return None

    @property
    def table(self) -> RecordTable:
        return self.query_one("#table", RecordTable)

    def on_mount(self) -> None:
        self.table.focus()

    def apply_filter(self, *, keep_cursor: bool = False) -> None:
        """Re-run the bar's query over this screen's base filter."""
        from crm_tui.services import lists

        bar = self.query_one("#query", QueryBar)
        try:
            typed = lists.compile(self.book, self.entity, self.query_text)
        except lists.QueryError as exc:
            bar.show_error(exc.message)
            return  # the list keeps the rows of the last good query
        bar.clear_error()
        self.table.set_filter(
            self._with_kept(self.base_filter().merged(typed)), keep_cursor=keep_cursor
        )

    def _with_kept(self, shown: Filter) -> Filter:
        """`shown`, or any row in `kept` (a deal moved to a stage the filter leaves out)."""
        if not self.kept or not shown:
            return shown
        own = (*shown.terms, shown.text) if shown.text is not None else shown.terms
        either = AnyOf((AllOf(tuple(own)), OneOf("id", tuple(sorted(self.kept)))))
        return Filter(shown.entity, (either,), None, shown.sort)

    def show_query(self, query: str, view: str | None = None) -> None:
        """Show the rows `query` selects (`view`: a screen's own tab, e.g. follow-ups'
        overdue), cursor on top, focus on the list."""
        self.clear_query()
        self.set_view(view)
        if query:
            bar = self.query_one("#query", QueryBar)
            bar.value = query
            bar.sent(query)
            self.query_text = query
        self.apply_filter()
        self.action_focus_table()

    def set_view(self, view: str | None) -> None:
        """Switch to one of the screen's own views (none here; follow-ups have tabs)."""

    def clear_query(self) -> None:
        """Empty the bar (and its filter) without a reload: the caller reloads."""
        bar = self.query_one("#query", QueryBar)
        bar.value = ""
        bar.clear_error()
        self.query_text = ""
        self.kept.clear()
        self.table._wanted_filter = ()  # the next load drops the old query
        bar.sent("")

    def keep_in_list(self, row_id: str) -> None:
        """Keep a row reachable after a change that takes it out of the filter, until the
        query changes."""
        if row_id in self.kept:
            return
        self.kept.add(row_id)
        if self.query_text:
            self.apply_filter(keep_cursor=True)

    def on_query_bar_query_changed(self, event: Any) -> None:
        if event.text != self.query_text:
            self.kept.clear()
        self.query_text = event.text
        self.apply_filter()

    def action_focus_query(self) -> None:
        self.query_one("#query").focus()

    # --- saved views and urgency (crm_tui/widgets/saved_views.py, crm_tui/query/urgency.py) --
    def run_view(self, query: str) -> None:
        bar = self.query_one("#query", QueryBar)
        bar.value = query
        bar.remember(query)
        self.query_text = query
        self.apply_filter()

    def on_saved_views_view_selected(self, event: Any) -> None:
        self.run_view(event.query)
        self.action_focus_table()

    def on_saved_views_closed(self, _: Any) -> None:
        self.action_focus_table()  # a key typed next goes to the list, not the query's text

    def on_query_bar_entered(self, _: Any) -> None:
        if not self.query_one("#query", QueryBar).error:
            self.action_focus_table()  # enter ran the query: on to the rows

    def on_key(self, event: Any) -> None:
        bound = self.query_one("#views", SavedViews).query_for_key(event.key)
        if bound is not None:
            event.stop()
            self.notify(f"View: {bound[0]}", timeout=2)
            self.run_view(bound[1])

    def action_views(self) -> None:
        self.query_one("#views", SavedViews).toggle()

    def action_why(self) -> None:
        from crm_tui.services import urgency

        row = self.table.current_row
        if not urgency.has_urgency(self.entity) or row is None:
            self.notify("Urgency is kept for follow-ups and customers.", timeout=3)
            return
        terms = urgency.why(self.book, self.entity, row["id"])
        lines = [f"{t.name:<13} {t.score:5.2f}  {t.detail}" for t in terms] or ["not urgent"]
        if self.entity == "customer":  # and why the customer may be drifting away (issue 22)
            from crm_tui.services import insight

            found = insight.why(self.book, row["id"])
            if found is not None:
                label = insight.segment_label(found.segment) or "no purchases"
                lines += ["", f"Churn risk {found.risk:.2f} · {label}"]
                lines += [f"{t.name:<13} {t.value:5.2f}  {t.detail}" for t in found.terms]
        self.notify("\n".join(lines), title=f"Urgency {total(terms):.2f}", timeout=10)

    def action_focus_table(self) -> None:
        self.table.focus()

    def reload(self) -> None:
        self.table.reload()
