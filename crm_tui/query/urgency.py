"""Deprecated: moved to crm_tui.services.urgency (and storage/urgency_sql.py). A temporary
shim while screens, the CLI and tests move over; see /work/notes/API-A.md."""

from crm_tui.services.urgency import (  # noqa: F401
    URGENCY_ENTITIES,
    WEIGHTS_KEY,
    explain,
    urgency_expression,
    urgency_order,
)
