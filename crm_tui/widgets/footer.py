"""Provides `CrmFooter`: the screen's keys in one line, with the palette key and `? Help`
at the right end, so a narrow terminal (80 columns) cuts the screen's keys, never the way
to help.

One widget draws every key (Textual's footer mounts a widget per key: half the widgets of
the desk's first frame, each styled, measured and drawn on its own). It looks and acts as
Textual's: a click runs the key (a disabled key rings the bell), hovering shows the key's
tooltip. It redraws only when the keys it shows change (not on every focus move), and
never lays the screen out again.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

HELP_ACTION = "help"


class FooterKey(NamedTuple):
    """One key as the footer shows it."""

    key: str  # what a click presses
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str


class CrmFooter(Widget, can_focus=False):
    """The footer; the help key always shows (issue 13 item 21)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
        "footer--separator",
    }
    # Textual's footer's colours and spacing (widgets/_footer.py), for one widget.
    DEFAULT_CSS = """
    CrmFooter {
        dock: bottom;
        height: 1;
        pointer: pointer;  /* every key is a button */
        color: $footer-foreground;
        background: $footer-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[FooterKey, ...] | None = None
        self._spans: list[tuple[int, int, FooterKey]] = []  # x range of each drawn key
        self._hover: FooterKey | None = None
        self._followed: Screen | None = None  # a modal over this screen: its keys are shown

    @property
    def keys(self) -> tuple[FooterKey, ...]:
        """Every key the footer offers, in order (the palette and help keys last)."""
        if self._keys is None:
            self._keys = self._read_keys()
        return self._keys

    @property
    def shown(self) -> list[FooterKey]:
        """The keys drawn at the current width (a narrow footer leaves out the screen's
        last keys, never the palette or help)."""
        return [key for _, _, key in self._spans]

    def span_of(self, action: str) -> tuple[int, int] | None:
        """The columns (start, end) where the key of `action` is drawn, if it is."""
        for start, end, key in self._spans:
            if key.action == action:
                return start, end
        return None

    def follow_top(self) -> None:
        """Show the keys of a form or dialog open over this screen (what a key does while it
        is open), and this screen's own once it is back on top. Its screen calls this when
        it is covered or shown again."""
        top = self._modal_on_top()
        if top is not self._followed:
            if self._followed is not None:
                self._followed.bindings_updated_signal.unsubscribe(self)
            self._followed = top
            if top is not None:
                top.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._redraw_if_changed()

    def _modal_on_top(self) -> Screen | None:
        stack = self.app.screen_stack
        if self.screen not in stack:
            return None
        above = stack[stack.index(self.screen) + 1 :]
        if above and all(isinstance(screen, ModalScreen) for screen in above):
            return above[-1]
        return None

    def _read_keys(self) -> tuple[FooterKey, ...]:
        active = (self._followed or self.screen).active_bindings
        keys: list[FooterKey] = []
        seen: set[str] = set()
        right: list[FooterKey] = []
        for _, binding, enabled, tooltip in active.values():
            # One key per action, as Textual's footer shows it (the first binding's key).
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip or binding.tooltip,
            )
            (right if binding.action == HELP_ACTION else keys).append(key)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            _, binding, enabled, tooltip = palette
            # The key alone beside `? Help` (its name is the tooltip); named where help is
            # not offered (the query bar), so a new user has a clue what it opens.
            right.insert(
                0,
                FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    "" if right else binding.description,
                    binding.action,
                    enabled,
                    binding.tooltip or binding.description,
                ),
            )
        return (*keys, *right)

    def render(self) -> Text:
        keys = self.keys
        key_style = self.get_component_rich_style("footer-key--key")
        text_style = self.get_component_rich_style("footer-key--description")
        # The hovered key gets the hover background only, as Textual's footer does.
        hover_style = Style(bgcolor=self.get_component_rich_style("footer-key--hover").bgcolor)
        dim = Style(dim=True)

        def part(key: FooterKey) -> Text:
            label = Text.assemble(
                (f" {key.key_display} ", key_style),
                (f"{key.description} " if key.description else "", text_style),
            )
            if key == self._hover:
                label.stylize(hover_style)
            if not key.enabled:
                label.stylize(dim)
            return label

        right_keys = [k for k in keys if k.action == HELP_ACTION or self._is_palette(k)]
        left_keys = [k for k in keys if k not in right_keys]
        right = [part(key) for key in right_keys]
        right_width = sum(r.cell_len for r in right) + (2 if right else 0)  # "▏" and margin
        width = self.size.width or 10_000
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterKey]] = []
        x = 0
        for key in left_keys:
            label = part(key)
            if x + label.cell_len - 1 == width - right_width:
                label = label[:-1]  # it fits without its trailing space
            if x + label.cell_len > width - right_width:
                break  # never half a key: the screen's last keys go first
            spans.append((x, x + label.cell_len, key))
            line.append_text(label)
            x += label.cell_len
        if right:
            start = max(x, width - right_width)
            line.append(" " * (start - x))
            line.append("▏", self.get_component_rich_style("footer--separator"))
            x = start + 1
            for key, label in zip(right_keys, right, strict=True):
                spans.append((x, x + label.cell_len, key))
                line.append_text(label)
                x += label.cell_len
            line.append(" ")  # Textual's help key's right padding
        self._spans = spans
        line.stylize_before(self.rich_style)  # the footer's own colours under every part
        return line

    def _is_palette(self, key: FooterKey) -> bool:
        return key.action == "command_palette" or key.key == self.app.COMMAND_PALETTE_BINDING

    def _key_at(self, x: int) -> FooterKey | None:
        for start, end, key in self._spans:
            if start <= x < end:
                return key
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        if key != self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key is not None and key.tooltip else None
            self.refresh()

    def on_leave(self, _: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
        if self._followed is not None:
            self._followed.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus:
            return
        if self.is_attached and screen in (self.screen, self._followed):
            self.call_after_refresh(self._redraw_if_changed)

    def _redraw_if_changed(self) -> None:
        if not self.is_attached:
            return
        keys = self._read_keys()
        if keys != self._keys:
            self._keys = keys
            self.refresh()
