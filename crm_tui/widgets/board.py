"""Provides `Board`: the pipeline as columns of deal cards, one column per stage.

The board draws only what it is given (a window of cards per stage plus the stage totals
from storage/pipeline.py) and keeps a cursor on one card. Each column scrolls on its own
so the selected card stays in view; a column with more deals than cards says how many.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from crm_tui.domain.money import DEFAULT_CURRENCY, format_money
from crm_tui.domain.pipeline import Card, Money, StageColumn

HEADER_LINES = 4  # stage and count, total, weighted, rule
CARD_LINES = 4  # customer, title, amount and close date, gap


MONEY_MODES = ("full", "whole", "short")


def short_money(minor: int, currency: str, width: int, mode: str | None = None) -> str:
    """Money that fits `width` cells: full, then whole units, then thousands or millions.
    With `mode` the board's one format is used for every amount (it falls back to the short
    form only when even that amount does not fit)."""
    full = format_money(minor, currency)
    whole = format_money(minor - minor % 100, currency).rsplit(".", 1)[0]
    if mode == "full" or (mode is None and cell_len(full) <= width):
        if cell_len(full) <= width:
            return full
    if mode in (None, "full", "whole") and cell_len(whole) <= width:
        return whole
    symbol = format_money(0, currency).rstrip("0.,")
    major = minor / 100
    for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if major >= divisor:
            return f"{symbol}{major / divisor:.1f}{suffix}"
    return whole


def money_mode(amounts: list[tuple[int, str, int]]) -> str:
    """The most detailed format in which every (minor, currency, width) amount fits."""
    for mode in MONEY_MODES[:-1]:
        if all(
            cell_len(short_money(minor, cur, 10**6, mode)) <= width for minor, cur, width in amounts
        ):
            return mode
    return "short"


def _main_currency(totals: dict[str, Money]) -> tuple[str, Money] | None:
    """The currency most of a stage's deals are in (the home currency on a tie)."""
    if not totals:
        return None
    return max(totals.items(), key=lambda item: (item[1].count, item[0] == DEFAULT_CURRENCY))


class Board(Widget, can_focus=True):
    """Stages side by side; arrow keys (or h j k l) move between cards."""

    DEFAULT_CSS = """
    Board { height: 1fr; width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1, 0)", "Prev stage", show=False),
        Binding("right,l", "move(1, 0)", "Next stage", show=False),
        Binding("up,k", "move(0, -1)", "Up", show=False),
        Binding("down,j", "move(0, 1)", "Down", show=False),
        Binding("home", "edge(-1)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
    ]

    class Highlighted(Message):
        """The cursor is on another card (or on an empty column: None)."""

        def __init__(self, board: Board, card: Card | None) -> None:
            super().__init__()
            self.board = board
            self.card = card

    class NeedMore(Message):
        """The cursor reached the last card loaded for a stage that has more deals."""

        def __init__(self, board: Board, column: StageColumn) -> None:
            super().__init__()
            self.board = board
            self.column = column

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[StageColumn] = []
        self.loaded = False
        self.column = 0
        self.rows: list[int] = []
        self.tops: list[int] = []
        self.money_mode = "full"  # the one money format of the last render

    # --- data ------------------------------------------------------------------------------
    def set_columns(self, columns: list[StageColumn], keep: str | None = None) -> None:
        """Show new data; the cursor stays on the card `keep` (or where it was) if possible."""
        keep = keep or (self.selected.id if self.selected else None)
        self.columns = columns
        self.loaded = True
        if len(self.rows) != len(columns):
            self.rows = [0] * len(columns)
            self.tops = [0] * len(columns)
        for c, column in enumerate(columns):
            for r, card in enumerate(column.cards):
                if card.id == keep:
                    self.column, self.rows[c] = c, r
        for c, column in enumerate(columns):
            self.rows[c] = max(0, min(self.rows[c], len(column.cards) - 1))
        self.column = max(0, min(self.column, len(columns) - 1))
        self.refresh()
        self._announce()

    @property
    def selected(self) -> Card | None:
        if not self.columns:
            return None
        cards = self.columns[self.column].cards
        return cards[self.rows[self.column]] if cards else None

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.selected))

    # --- keys ------------------------------------------------------------------------------
    def action_move(self, dx: int, dy: int) -> None:
        if not self.columns:
            return
        if dx:
            self.column = max(0, min(self.column + dx, len(self.columns) - 1))
        if dy:
            column = self.columns[self.column]
            count = len(column.cards)
            self.rows[self.column] = max(0, min(self.rows[self.column] + dy, count - 1))
            if dy > 0 and self.rows[self.column] == count - 1 and column.more:
                self.post_message(self.NeedMore(self, column))
        self.refresh()
        self._announce()

    def add_cards(self, column: StageColumn, cards: list[Card]) -> None:
        """More cards for a stage (after NeedMore); the cursor stays where it is."""
        if column in self.columns:
            known = {card.id for card in column.cards}
            column.cards.extend(card for card in cards if card.id not in known)
            self.refresh()

    def action_edge(self, direction: int) -> None:
        if not self.columns:
            return
        count = len(self.columns[self.column].cards)
        self.rows[self.column] = 0 if direction < 0 else max(0, count - 1)
        self.refresh()
        self._announce()

    # --- drawing ---------------------------------------------------------------------------
    def _widths(self, total: int) -> list[int]:
        n = max(1, len(self.columns))
        usable = max(n, total - (n - 1))
        base, extra = divmod(usable, n)
        return [base + (1 if i < extra else 0) for i in range(n)]

    def _money_mode(self, widths: list[int], height: int) -> str:
        """One money format for the whole board: every total and card in it fits."""
        amounts: list[tuple[int, str, int]] = []
        shown = self._visible_cards(height)
        for c, (column, width) in enumerate(zip(self.columns, widths, strict=False)):
            main = _main_currency(column.totals)
            if main:
                room = width - 4 - (1 if len(column.totals) > 1 else 0)
                amounts += [(main[1].total, main[0], room), (main[1].weighted, main[0], room)]
            top = self.tops[c] if c < len(self.tops) else 0
            amounts += [(c.amount, c.currency, width) for c in column.cards[top : top + shown]]
        return money_mode(amounts)

    def _visible_cards(self, height: int) -> int:
        return max(1, (height - HEADER_LINES - 1) // CARD_LINES)

    def _column_lines(self, c: int, width: int, height: int) -> list[Text]:
        column = self.columns[c]
        focused = self.has_focus and c == self.column
        count = f"{column.count:,}"
        name = column.stage.value.upper()
        head_style = "bold reverse" if focused else "bold"
        # The stage's whole name; its count moves down beside the total when both do not fit.
        split = cell_len(name) + len(count) + 1 > width
        lines = [_pair(name[:width], "" if split else count, width, head_style)]
        main = _main_currency(column.totals)
        mixed = "+" if len(column.totals) > 1 else ""
        mode = self.money_mode
        if main:
            currency, money = main
            room = width - 4 - len(mixed)
            total = short_money(money.total, currency, room, mode) + mixed
            weighted = short_money(money.weighted, currency, room, mode) + mixed
            lines.append(_pair(count if split else "Σ", total, width))
            lines.append(_pair("wtd", weighted, width, "dim"))
        else:
            lines += [Text(""), Text("")]
        lines.append(Text("─" * width, style="dim"))
        shown = self._visible_cards(height)
        row = self.rows[c]
        top = min(self.tops[c], row)
        if row >= top + shown:
            top = row - shown + 1
        self.tops[c] = top
        window = column.cards[top : top + shown]
        for i, card in enumerate(window, start=top):
            style = ""
            if i == row and c == self.column:
                style = "reverse" if self.has_focus else "underline"
            when = card.closed_on or card.expected_close
            lines.append(Text(card.customer, style=f"bold {style}".strip()))
            lines.append(Text(card.title, style=style))
            amount = short_money(card.amount, card.currency, width, mode)
            day = when.strftime("%m-%d") if when else ""
            if cell_len(amount) + len(day) + 1 > width:
                day = ""  # the amount matters more than the date on a narrow column
            lines.append(_pair(day, amount, width, style))
            lines.append(Text(""))
        hidden = len(column.cards) - (top + len(window)) + column.more
        if hidden > 0 or top > 0:
            note = f"↓ {hidden} more" if hidden > 0 else ""
            note = (f"↑{top} " if top else "") + note
            lines.append(Text(note, style="dim italic"))
        return lines

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        if not self.columns:
            return Text("Loading…" if not self.loaded else "No deals.", style="dim")
        widths = self._widths(width)
        self.money_mode = self._money_mode(widths, height)
        columns = [self._column_lines(c, w, height) for c, w in enumerate(widths)]
        out = Text()
        for y in range(height):
            for c, w in enumerate(widths):
                if c:
                    out.append("│", style="dim")
                cell = columns[c][y].copy() if y < len(columns[c]) else Text("")
                cell.truncate(w, overflow="ellipsis", pad=True)
                out.append_text(cell)
            if y < height - 1:
                out.append("\n")
        return out


def _pair(left: str, right: str, width: int, style: str = "") -> Text:
    """`left` and `right` on one line of `width` cells, `right` flush right."""
    gap = width - cell_len(left) - cell_len(right)
    if gap < 1:
        return Text(right.rjust(width), style=style)
    return Text(left + " " * gap + right, style=style)
