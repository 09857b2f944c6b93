"""Every construct of the query language against a real database, and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_tui.domain.fields import entity
from crm_tui.services import lists
from crm_tui.services.lists import QueryError
from crm_tui.storage import filter_sql


def compile_filter(entity_name: str, text: str, *, db) -> list:
    """The SQL clauses of a query's Filter (services.lists.compile -> storage.filter_sql)."""
    return filter_sql.where(lists.compile(db, entity_name, text))


def names(db, entity_name: str, query: str) -> set[str]:
    spec = entity(entity_name)
    repo = db.repos.by_entity[spec.name]
    rows = repo.page(where=compile_filter(entity_name, query, db=db), limit=1000)
    return {getattr(r, spec.title_field) for r in rows}


@pytest.fixture
def book(db):
    r = db.repos
    acme = r.customers.create(
        {
            "name": "Acme 北京钢管",
            "city": "北京市",
            "grade": "A",
            "status": "contacted",
            "tags": "vip,steel",
            "birthday": "1980-11-25",
        }
    )
    zeta = r.customers.create(
        {
            "name": "Zeta Trading",
            "city": "上海",
            "grade": "B",
            "status": "potential",
            "tags": "cold",
        }
    )
    r.customers.create({"name": "无名公司", "grade": "C", "status": "lost"})
    r.contacts.create({"customer_id": zeta.id, "name": "张伟", "mobile": "13800138000"})
    big = r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "pipes",
            "amount": "60k",
            "stage": "proposal",
            "expected_close": "2026-11-28",
        }
    )
    r.opportunities.create(
        {
            "customer_id": zeta.id,
            "title": "valves",
            "amount": "5万",
            "stage": "qualified",
            "expected_close": "2026-12-20",
        }
    )
    r.opportunities.create(
        {
            "customer_id": zeta.id,
            "title": "old deal",
            "amount": "900",
            "stage": "won",
            "closed_on": "2026-10-01",
        }
    )
    r.activities.create(
        {
            "customer_id": acme.id,
            "subject": "call back",
            "due_at": "yesterday",
            "opportunity_id": big.id,
        }
    )
    r.activities.create({"customer_id": acme.id, "subject": "visit plant", "due_at": "today 15:00"})
    r.activities.create({"customer_id": zeta.id, "subject": "send quote", "due_at": "+3d"})
    done = r.activities.create({"customer_id": zeta.id, "subject": "intro call", "due_at": "-7d"})
    r.activities.done(done.id, outcome="fine")
    r.expenses.create(
        {
            "spent_on": "today",
            "amount": "320",
            "category": "meals",
            "customer_id": acme.id,
            "description": "lunch with Acme",
        }
    )
    return db


# --- field matches --------------------------------------------------------------------------


def test_text_field_matches_a_substring(book):
    assert names(book, "customers", "city:北京") == {"Acme 北京钢管"}


def test_equals_is_an_exact_case_insensitive_match(book):
    assert names(book, "customers", "city=北京") == set()
    assert names(book, "customers", "city=北京市") == {"Acme 北京钢管"}
    assert names(book, "customers", "name='x'") == set()
    assert names(book, "customers", 'name!="zeta trading"') == {"Acme 北京钢管", "无名公司"}


def test_comma_means_any_of(book):
    assert names(book, "customers", "grade:A,B") == {"Acme 北京钢管", "Zeta Trading"}


def test_enum_values_are_case_insensitive_and_prefixes_work(book):
    assert names(book, "customers", "grade:a") == {"Acme 北京钢管"}
    assert names(book, "customers", "status:pot") == {"Zeta Trading"}


def test_negated_value_and_negated_term_include_empty_fields(book):
    assert names(book, "customers", "city:-北京") == {"Zeta Trading", "无名公司"}
    assert names(book, "customers", "-city:北京") == {"Zeta Trading", "无名公司"}
    assert names(book, "deals", "stage:-won") == {"pipes", "valves"}


def test_empty_value_finds_empty_fields(book):
    assert names(book, "customers", "city:") == {"无名公司"}
    assert names(book, "customers", "-city:") == {"Acme 北京钢管", "Zeta Trading"}


def test_id_prefix(book):
    acme = book.repos.customers.resolve("Acme 北京钢管")
    # A UUIDv7 starts with its creation time: records made in the same few ms share the
    # first 12 characters, so the prefix reaches into the random part.
    assert names(book, "customers", f"id:{acme.id[:23]}") == {"Acme 北京钢管"}


# --- numbers and money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("amount>50000", {"pipes"}),
        ("amount>=5万", {"pipes", "valves"}),
        ("amount<50k", {"old deal"}),
        ("amount<=900", {"old deal"}),
        ("amount:50000", {"valves"}),
        ("amount:1000..60000", {"pipes", "valves"}),
        ("probability>=50", {"pipes", "old deal"}),
        ("prob<50%", {"valves"}),
        ("weighted>20k", {"pipes"}),
    ],
)
def test_comparisons_on_money_and_numbers(book, query, expected):
    assert names(book, "deals", query) == expected


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due:today", {"visit plant"}),
        ("due:yesterday", {"call back"}),
        ("due:+3d", {"send quote"}),
        ("due:overdue", {"call back"}),
        ("due<today", {"call back", "intro call"}),
        ("due<=today", {"call back", "intro call", "visit plant"}),
        ("due>today", {"send quote"}),
        ("due>=today", {"visit plant", "send quote"}),
        ("due<eow status:open", {"call back", "visit plant", "send quote"}),
        ("due:today..+3d", {"visit plant", "send quote"}),
        ("due:2026-11-23", {"visit plant"}),
        ("due:2026-11-23T15:00", {"visit plant"}),
        ("-due:today", {"call back", "send quote", "intro call"}),
        ("status:done", {"intro call"}),
        ("is:overdue", {"call back"}),
        ("is:open", {"call back", "visit plant", "send quote"}),
    ],
)
def test_relative_dates_on_follow_ups(book, query, expected):
    assert names(book, "followups", query) == expected


def test_dates_on_date_fields(book):
    assert names(book, "deals", "close<=eom") == {"pipes"}
    assert names(book, "deals", "expected_close:som..eom") == {"pipes"}
    assert names(book, "deals", "closed<som") == {"old deal"}
    assert names(book, "customers", "birthday:2026-11-25") == set()
    assert names(book, "customers", "birthday:1980-11-25") == {"Acme 北京钢管"}


def test_created_today(book):
    assert len(names(book, "customers", "created:today")) == 3
    book.clock.advance(timedelta(days=2))
    assert names(book, "customers", "created:today") == set()
    assert len(names(book, "customers", "created:-2d")) == 3


# --- tags, owner, related records, shorthands ------------------------------------------------


def test_tags_present_and_absent(book):
    assert names(book, "customers", "+vip") == {"Acme 北京钢管"}
    assert names(book, "customers", "-vip") == {"Zeta Trading", "无名公司"}
    assert names(book, "customers", "tags:cold,steel") == {"Acme 北京钢管", "Zeta Trading"}
    assert names(book, "customers", "+VIP") == {"Acme 北京钢管"}
    assert names(book, "customers", "+vi") == set()


def test_owner_me(book):
    assert len(names(book, "customers", "owner:me")) == 3
    assert names(book, "customers", "-owner:me") == set()
    assert names(book, "customers", "owner:none") == set()


def test_related_fields(book):
    assert names(book, "followups", "customer.city:上海") == {"send quote", "intro call"}
    assert names(book, "deals", "customer.grade:A") == {"pipes"}
    assert names(book, "expenses", "customer.tags:vip") == {"lunch with Acme"}
    assert names(book, "followups", "opportunity.amount>50k") == {"call back"}
    assert names(book, "followups", "-customer.city:上海") == {"call back", "visit plant"}


def test_ref_field_matches_a_name(book):
    assert names(book, "followups", "customer:zeta") == {"send quote", "intro call"}
    assert names(book, "contacts", "company:zeta") == {"张伟"}


def test_has_on_customers(book):
    assert names(book, "customers", "has:overdue") == {"Acme 北京钢管"}
    assert names(book, "customers", "has:open-deal") == {"Acme 北京钢管", "Zeta Trading"}
    assert names(book, "customers", "-has:open-deal") == {"无名公司"}
    assert names(book, "customers", "has:contact") == {"Zeta Trading"}


def test_stage_shorthands(book):
    assert names(book, "deals", "stage:open") == {"pipes", "valves"}
    assert names(book, "deals", "stage:closed") == {"old deal"}
    assert names(book, "deals", "is:won") == {"old deal"}


# --- free text ------------------------------------------------------------------------------


def test_free_text_uses_the_index_and_chinese_substrings(book):
    assert names(book, "customers", "acme") == {"Acme 北京钢管"}
    assert names(book, "customers", "钢管") == {"Acme 北京钢管"}
    assert names(book, "customers", "北京 ac") == {"Acme 北京钢管"}


def test_customers_match_through_their_contacts(book):
    assert names(book, "customers", "张伟") == {"Zeta Trading"}
    assert names(book, "customers", "13800138000") == {"Zeta Trading"}


def test_quoted_phrases_keep_words_together(book):
    assert names(book, "customers", '"zeta trading"') == {"Zeta Trading"}
    assert names(book, "customers", '"trading zeta"') == set()
    assert names(book, "customers", '-"zeta trading"') == {"Acme 北京钢管", "无名公司"}


def test_free_text_on_records_without_an_index(book):
    assert names(book, "followups", "quote") == {"send quote"}
    assert names(book, "followups", "acme") == {"call back", "visit plant"}
    assert names(book, "deals", "pipes") == {"pipes"}
    assert names(book, "deals", "-pipes") == {"valves", "old deal"}


def test_terms_combine_with_and(book):
    assert names(book, "customers", "grade:A,B -vip 张伟") == {"Zeta Trading"}


def test_empty_query_is_no_filter(db):
    assert compile_filter("customers", "  ", db=db) == []


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_name", "query", "column", "suggestion", "words"),
    [
        ("customers", "cty:北京", 1, "city", "unknown field 'cty'"),
        ("customers", "grade:A statsu:lost", 9, "status", "unknown field 'statsu'"),
        ("customers", "grade:D", 1, None, "'D' is not a grade"),
        ("customers", "status:lots", 1, "lost", "'lots' is not a status"),
        ("deals", "stage:negotation", 1, "negotiation", "is not a stage"),
        ("deals", "stage:l", 1, "lead", "could be"),
        ("customers", "city>北京", 1, "city:北京", "works on numbers"),
        ("deals", "amount>lots", 1, "50000", "'lots'"),
        ("deals", "prob>=high", 1, "60", "not a whole number"),
        ("followups", "due:someday", 1, "today", "'someday'"),
        ("followups", "due:2026-13-40T10:00", 1, "2026-11-30T14:30", "not a date and time"),
        ("followups", "+vip", 1, None, "have no tags"),
        ("followups", "is:overdu", 1, "is:overdue", "means nothing"),
        ("customers", "has:overdeu", 1, "overdue", "is not one of"),
        ("customers", "has:", 1, "has:overdue", "needs a value"),
        ("customers", "has>1", 1, "has:1", "takes ':'"),
        ("deals", "amount:", 1, None, "needs a value"),
        ("followups", "custmer.city:上海", 1, "customer", "unknown field"),
        ("followups", "subject.city:上海", 1, None, "is not a related record"),
        ("followups", "customer.cty:上海", 1, "city", "unknown field 'cty'"),
        ("views", "pinned:maybe", 1, "yes", "not yes or no"),
        ("deals", "weighted:..", 1, "1..10", "empty range"),
        ("deals", "stage:won", 0, None, None),
    ],
)
def test_errors_name_the_token_column_and_a_fix(db, entity_name, query, column, suggestion, words):
    if words is None:
        compile_filter(entity_name, query, db=db)
        return
    with pytest.raises(QueryError) as info:
        compile_filter(entity_name, query, db=db)
    err = info.value
    assert words in err.message
    assert err.column == column
    assert f"at column {column}" in err.message
    assert err.suggestion == suggestion
    if suggestion:
        assert err.message.endswith(f"did you mean {suggestion}?")
    assert err.token == query.split()[-1] if column > 1 else query.split()[0]


def test_documented_example_message(db):
    with pytest.raises(QueryError) as info:
        compile_filter("customers", "cty:上海", db=db)
    assert info.value.message == (
        "unknown field 'cty' for customers at column 1; did you mean city?"
    )


def test_unknown_record_type(db):
    with pytest.raises(QueryError, match="unknown record type"):
        compile_filter("widgets", "x", db=db)


def test_last_contact_of_customers(book):
    assert names(book, "customers", "contacted:today") == {
        "Acme 北京钢管",
        "Zeta Trading",
        "无名公司",
    }
    book.clock.advance(timedelta(days=40))
    assert names(book, "customers", "grade:A contacted<-30d") == {"Acme 北京钢管"}
    zeta_call = book.repos.activities.resolve("send quote")
    book.repos.activities.done(zeta_call.id)
    assert names(book, "customers", "contacted<-30d") == {"Acme 北京钢管", "无名公司"}
