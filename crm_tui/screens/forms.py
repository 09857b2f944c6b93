"""Provides `RecordForm`: a modal form for any entity, built from the field registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import ModalScreen


class RecordForm(ModalScreen[Any]):
    """Edit the fields of one record; `save` gets the typed text and may raise ValidationErrors."""

    def __init__(
        self,
        entity: str,
        *,
        title: str,
        initial: dict[str, Any] | None = None,
        fields: list[str] | None = None,
        save: Callable[[dict[str, str]], Any],
    ) -> None:
        super().__init__()
        self.entity = entity
        self.form_title = title
        self.initial = dict(initial or {})
        self.field_names = fields
        self.save = save
