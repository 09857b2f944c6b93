"""The work before the desk's first frame (issue 20 item 3): the app starts on the desk
(Textual builds no default screen to switch away from), renders no frame that Textual would
drop, starts the desk's second read only once the first frame is drawn, and its footer is
built once in its final style and rebuilt only when the keys it shows change."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual._compositor import Compositor

from crm_tui.screens.desk import DeskList, DeskScreen
from crm_tui.services import desk as desk_service
from crm_tui.widgets.footer import CrmFooter
from tests.tui.pilot import settle, until

pytestmark = pytest.mark.anyio


def footer_keys(app) -> list[str]:
    """Every key the footer offers, drawn or not (a narrow footer draws fewer)."""
    footer = app.screen.query_one(CrmFooter)
    return [f"{key.key_display} {key.description}".strip() for key in footer.keys]


async def test_the_app_starts_on_the_desk_without_textuals_default_screen(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert app.current_mode == "desk"
        assert app.screen_stack == [app.screen]
        assert "_default" not in app._screen_stacks  # never built, never switched from
        await pilot.press("2")  # the sections switch as before
        await settle(pilot)
        assert app.current_mode == "customers"
        await pilot.press("1")
        await settle(pilot)
        assert app.screen.query_one("#overdue", DeskList).border_title == "Overdue (2)"


async def test_no_frame_is_rendered_while_the_app_batches_its_start(app, monkeypatch):
    batches: list[int] = []
    real = Compositor.render_update

    def render_update(self, *args, **kwargs):
        batches.append(app._batch_count)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", render_update)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert batches, "the desk was never drawn"
        # Textual would throw a frame rendered inside a batch away: none is rendered there.
        assert all(count == 0 for count in batches), batches
        assert app.screen.query_one("#overdue", DeskList).option_count == 2


async def test_the_desks_second_read_starts_after_its_first_frame(app, monkeypatch):
    desk_service.prefetch(app.path, app.clock)
    assert desk_service._PREFETCHED[str(app.path)].done.wait(30)
    frames: list[int] = []
    seen_at_rest: list[int] = []
    real_render, real_rest = Compositor.render_update, desk_service.rest

    def render_update(self, *args, **kwargs):
        if not app._batch_count:  # a frame Textual shows (one in a batch is dropped)
            frames.append(1)
        return real_render(self, *args, **kwargs)

    def rest(*args, **kwargs):
        seen_at_rest.append(len(frames))
        return real_rest(*args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", render_update)
    monkeypatch.setattr(desk_service, "rest", rest)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: bool(seen_at_rest))
        assert seen_at_rest[0] >= 1  # the first frame (with the prefetched figures) came first
        await settle(pilot)
        assert app.screen.desk.complete
        assert any("Wang Fang" in str(o.prompt) for o in app.screen.query_one("#birthdays").options)


async def test_the_footer_is_one_widget_drawn_again_only_when_its_keys_change(app, monkeypatch):
    renders: list[int] = []
    real_render = CrmFooter.render

    def render(self):
        renders.append(1)
        return real_render(self)

    monkeypatch.setattr(CrmFooter, "render", render)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(CrmFooter)
        assert not footer.children  # not a widget per key: half the desk's first frame
        keys = footer_keys(app)
        assert keys[:2] == ["r Refresh", "x Done"]
        assert keys[-1] == "? Help"  # at the right end, after the palette
        assert "q Quit" in keys
        drawn = [f"{k.key_display} {k.description}".strip() for k in footer.shown]
        assert drawn[:2] == keys[:2] and drawn[-2:] == ["^p", "? Help"]
        assert "r Refresh" in str(footer.render())
        before = len(renders)
        await pilot.press("tab")  # another desk panel: the same keys, the footer not redrawn
        await settle(pilot)
        assert isinstance(app.focused, DeskList) and app.focused.id != "overdue"
        assert len(renders) == before
        assert footer_keys(app) == keys


async def test_a_click_on_a_footer_key_presses_it_and_hovering_names_it(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(CrmFooter)
        customers = next(k for k in footer.shown if k.key == "2")
        start, _ = footer.span_of(customers.action) or (0, 0)
        assert start > 0
        await pilot.hover(CrmFooter, offset=(start + 1, 0))
        assert footer.tooltip  # the key's own tooltip, as Textual's footer shows it
        await pilot.click(CrmFooter, offset=(start + 1, 0))
        assert await until(pilot, lambda: type(app.screen).__name__ != "DeskScreen")
        assert "ustomer" in type(app.screen).__name__


async def test_the_footer_follows_the_keys_that_change(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        listed = footer_keys(app)
        assert "n New" in listed and "? Help" in listed
        await pilot.press("slash")  # the query bar: typing keys, so no list keys
        assert await until(pilot, lambda: "n New" not in footer_keys(app))
        assert "/ Filter" in footer_keys(app)
        # No `? Help` while typing: the palette key says what it opens.
        assert footer_keys(app)[-1] == "^p palette"
        await pilot.press("escape")
        assert await until(pilot, lambda: footer_keys(app) == listed)


async def test_after_first_frame_runs_once_the_first_frame_is_drawn(app, monkeypatch):
    drawn: list[int] = []
    called: list[int] = []
    real = Compositor.render_update

    def render_update(self, *args, **kwargs):
        if not app._batch_count:
            drawn.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", render_update)
    # The launcher turns garbage collection back on through this hook (launch.run_app).
    app.after_first_frame(lambda: called.append(len(drawn)))
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: bool(called))
        await settle(pilot)
        assert len(called) == 1 and called[0] >= 1  # once, after a frame was drawn
        late: list[int] = []
        app.after_first_frame(lambda: late.append(1))  # already drawn: at once
        assert late == [1]


def test_the_start_path_imports_no_list_filters_and_no_resource_reader():
    # The desk's first read needs overdue_before only (domain/filter: ~16 dataclasses, ~7 ms);
    # the schema check lists the migrations folder (importlib.resources read every file).
    code = (
        "import sys, crm_tui.launch, crm_tui.storage.migrate, crm_tui.services.desk, "
        "crm_tui.app; print(sorted(m for m in ('crm_tui.domain.filter', 'importlib.resources', "
        "'crm_tui.query.parser') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_showing_a_new_section_reparses_no_css(app, monkeypatch):
    from textual.css.stylesheet import Stylesheet

    reparsed: list[int] = []
    real = Stylesheet.reparse

    def reparse(self):
        reparsed.append(1)
        return real(self)

    monkeypatch.setattr(Stylesheet, "reparse", reparse)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # a section never shown: styled as it mounts, nothing stale
        await settle(pilot)
        assert app.current_mode == "customers"
        assert reparsed == []
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot)
        assert reparsed  # a theme change still re-parses and restyles
