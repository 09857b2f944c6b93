"""Provides `PartnersScreen` (合作伙伴, issue 16): co-organisers, sponsors, venues, resellers
and suppliers on the lazy table with the `/` bar (name, contact person, phone — CJK
substrings too); `n` adds one, `e` or `enter` edits it. Link one to a campaign with
`crm link-partner CAMPAIGN PARTNER` or the campaign's form."""

from __future__ import annotations

from crm_tui.screens.simple_list import SimpleListScreen
from crm_tui.services import partners
from crm_tui.widgets.record_table import Column

PARTNER_FIELDS = ["name", "kind", "contact_person", "phone", "email", "notes"]


class PartnersScreen(SimpleListScreen):
    """Partners by name."""

    entity = "partner"
    noun = "partners"
    CSS_PATH = "marketing.tcss"
    form_fields = PARTNER_FIELDS
    summary = "Partners (合作伙伴)"
    placeholder = "/ filter: kind:venue or a name"
    order = ["name", "id"]
    add_record = staticmethod(partners.add_partner)
    get_record = staticmethod(partners.get)
    edit_record = staticmethod(partners.edit)

    def columns(self) -> list[Column]:
        return [
            Column("name", "Partner", 0),
            Column(
                "kind", "Kind", 13, "left", lambda r: str(r.get("kind") or "").replace("_", "-")
            ),
            Column("contact_person", "Contact", 12, drop=2),
            Column("phone", "Phone", 15, drop=1),
            Column("email", "E-mail", 20, drop=3),
        ]
