"""Deprecated: moved to crm_tui.services.views. A temporary shim while screens and tests
move over; see /work/notes/API-A.md."""

from crm_tui.services.views import (  # noqa: F401
    BINDABLE_KEYS,
    DEFAULT_VIEWS,
    SECTION_OF_SCREEN,
    SEEDED_KEY,
    PinnedView,
    SavedViewStore,
    ensure_default_views,
    pinned_views,
)
