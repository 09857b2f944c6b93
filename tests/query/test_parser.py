"""The query parser: tokens, columns, lists, negation, tags, phrases and malformed input."""

from __future__ import annotations

import pytest

from crm_tui.query import FieldTerm, QueryError, TagTerm, TextTerm, parse, tokenize


def test_tokens_keep_their_columns_and_quoted_spaces():
    assert tokenize('city:北京  "steel pipe" +vip') == [
        ("city:北京", 1),
        ('"steel pipe"', 10),
        ("+vip", 23),
    ]


def test_field_term_with_list_and_negated_value():
    (term,) = parse("grade:A,B,-C")
    assert term == FieldTerm(("grade",), ":", ("A", "B", "-C"), False, "grade:A,B,-C", 1)


def test_chinese_comma_separates_values():
    (term,) = parse("city:北京，上海")
    assert term.values == ("北京", "上海")


def test_negated_term_and_related_path():
    (term,) = parse("-customer.city:上海")
    assert term.negated and term.path == ("customer", "city") and term.name == "customer.city"


@pytest.mark.parametrize("op", [">", ">=", "<", "<=", "=", "!="])
def test_comparison_operators(op):
    (term,) = parse(f"amount{op}50k")
    assert term.op == op and term.values == ("50k",)


def test_tags_and_free_text():
    terms = parse('+vip -cold acme "steel pipe" -"old stock"')
    assert terms == [
        TagTerm("vip", True, "+vip", 1),
        TagTerm("cold", False, "-cold", 6),
        TextTerm("acme", False, False, "acme", 12),
        TextTerm("steel pipe", True, False, '"steel pipe"', 17),
        TextTerm("old stock", True, True, '-"old stock"', 30),
    ]


def test_quoted_value_keeps_comma_and_space():
    (term,) = parse('name:"Acme, Inc",x')
    assert term.values == ("Acme, Inc", "x")


def test_empty_value_means_empty_field():
    (term,) = parse("city:")
    assert term.values == ()


def test_empty_quotes_ask_for_nothing():
    assert parse('""') == []


@pytest.mark.parametrize(
    ("text", "column", "suggestion"),
    [
        ('city:北京 "steel', 9, '"steel"'),
        ("amount>", 1, None),
        ("x amount>1,2", 3, None),
        ("++vip", 1, "+vip"),
        ("-", 1, None),
    ],
)
def test_malformed_tokens_name_their_column(text, column, suggestion):
    with pytest.raises(QueryError) as info:
        parse(text)
    assert info.value.column == column
    assert info.value.suggestion == suggestion
    assert f"column {column}" in info.value.message
