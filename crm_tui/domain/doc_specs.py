"""Provides the field specs of the quote-to-cash records (issue 19): products, quotes and
their lines, contracts, payment plans and payments. Money in minor units; rates in basis
points. `domain/fields.py` adds them to the one registry.
"""

from __future__ import annotations

from enum import Enum

from crm_tui.domain import sales_docs
from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F


def _enum(enum_type: type[Enum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


DOC_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "product",
        "product",
        "name",
        (
            F("code", "text", max_len=60),
            F("name", "text", required=True),
            F("model", "text"),
            F("unit", "text", max_len=20),
            F("list_price", "money"),
            F("currency", "currency"),
            F("active", "bool"),
        ),
        plural="products",
        aliases=("price_list",),
    ),
    EntitySpec(
        "quote",
        "quote",
        "title",
        (
            F("opportunity_id", "ref", "Deal", required=True, ref="opportunity"),
            F("title", "text", required=True),
            F("revision", "int"),
            F("status", "enum", choices=_enum(sales_docs.QuoteStatus)),
            F("valid_until", "date"),
            F("tax_rate_bp", "int", "Tax (bp)"),
            F("currency", "currency"),
            F("subtotal", "money"),
            F("tax", "money"),
            F("total", "money"),
            F("notes", "longtext", max_len=4_000),
            F("sent_at", "datetime"),
            F("decided_on", "date"),
        ),
        plural="quotes",
    ),
    EntitySpec(
        "quote_line",
        "quote_line",
        "description",
        (
            F("quote_id", "ref", "Quote", required=True, ref="quote"),
            F("product_id", "ref", "Product", ref="product"),
            F("description", "text", required=True),
            F("model", "text"),
            F("unit", "text", max_len=20),
            F("quantity", "int"),
            F("unit_price", "money"),
            F("discount_bp", "int", "Discount (bp)"),
            F("position", "int"),
        ),
        plural="quote_lines",
    ),
    EntitySpec(
        "contract",
        "contract",
        "number",
        (
            F("opportunity_id", "ref", "Deal", required=True, ref="opportunity"),
            F("quote_id", "ref", "Quote", ref="quote"),
            F("number", "text", max_len=40),
            F("title", "text"),
            F("signed_on", "date"),
            F("starts_on", "date"),
            F("ends_on", "date"),
            F("amount", "money", required=True),
            F("currency", "currency"),
            F("terms", "longtext", max_len=20_000),
            F("attachment", "text", max_len=1_000),
            F("status", "enum", choices=_enum(sales_docs.ContractStatus)),
        ),
        plural="contracts",
    ),
    EntitySpec(
        "payment_plan",
        "payment_plan",
        "label",
        (
            F("contract_id", "ref", "Contract", required=True, ref="contract"),
            F("instalment", "int", required=True),
            F("label", "text"),
            F("due_on", "date", required=True),
            F("amount", "money", required=True),
            F("currency", "currency"),
            F("method", "enum", choices=_enum(sales_docs.PaymentMethod)),
            F("paid", "money"),
            F("settled_on", "date"),
            F("remind_days", "int"),
        ),
        plural="payment_plans",
        aliases=("plan", "plans", "instalment", "instalments"),
    ),
    EntitySpec(
        "payment",
        "payment",
        "reference",
        (
            F("contract_id", "ref", "Contract", required=True, ref="contract"),
            F("plan_id", "ref", "Instalment", ref="payment_plan"),
            F("received_on", "date", required=True),
            F("amount", "money", required=True),
            F("currency", "currency"),
            F("method", "enum", choices=_enum(sales_docs.PaymentMethod)),
            F("reference", "text"),
            F("status", "enum", choices=_enum(sales_docs.PaymentStatus)),
            F("confirmed_by", "ref", "Confirmed by", ref="user"),
            F("confirmed_at", "datetime"),
            F("notes", "longtext", max_len=4_000),
        ),
        plural="payments",
        aliases=("receipt", "receipts"),
    ),
)
