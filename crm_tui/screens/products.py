"""Provides `ProductsScreen`: the team's price list (code, name, model, unit, list price);
`n` adds a product, `e` or `enter` edits one. Quotes pick their lines from it."""

from __future__ import annotations

from crm_tui.screens.contracts import money_cell
from crm_tui.screens.simple_list import SimpleListScreen
from crm_tui.services import products
from crm_tui.widgets.record_table import Column

PRODUCT_FIELDS = ["code", "name", "model", "unit", "list_price", "currency", "active"]


class ProductsScreen(SimpleListScreen):
    """Products by name."""

    entity = "product"
    noun = "products"
    CSS_PATH = "sections.tcss"
    form_fields = PRODUCT_FIELDS
    summary = "Price list"
    placeholder = "/ filter: name, model or code"
    add_record = staticmethod(products.add_product)
    get_record = staticmethod(products.find_product)
    edit_record = staticmethod(products.edit_product)

    def columns(self) -> list[Column]:
        return [
            Column("code", "Code", 10),
            Column("name", "Product", 0),
            Column("model", "Model", 12),
            Column("unit", "Unit", 5),
            Column("list_price", "List price", 14, "right", money_cell("list_price")),
        ]
