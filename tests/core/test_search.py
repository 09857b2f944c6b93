"""Full-text search finds Chinese substrings, 2-character names and English prefixes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_tui.storage.search import index_text, match_expression


def test_chinese_substring_and_two_character_name(db) -> None:
    cust = db.repos.customers.create({"name": "北京科技有限公司", "city": "北京"})
    db.repos.contacts.create({"name": "张伟", "customer_id": cust.id, "mobile": "13800138000"})
    db.repos.customers.create({"name": "上海贸易有限公司", "city": "上海"})
    assert [c.name for c in db.repos.customers.search("科技")] == ["北京科技有限公司"]
    assert [c.name for c in db.repos.contacts.search("张伟")] == ["张伟"]
    # a customer is found through its contact's name and number
    assert [c.name for c in db.repos.customers.search("张伟")] == ["北京科技有限公司"]
    assert [c.name for c in db.repos.customers.search("138001")] == ["北京科技有限公司"]
    assert {c.name for c in db.repos.customers.search("有限公司")} == {
        "北京科技有限公司",
        "上海贸易有限公司",
    }
    assert [c.name for c in db.repos.customers.search("司")] != []
    assert db.repos.customers.search("科贸") == []


def test_english_words_match_as_prefixes_in_any_order(db) -> None:
    db.repos.customers.create(
        {
            "name": "Acme Steel Pipe Ltd",
            "city": "London",
            "email": "sales@acme.example",
            "tags": "vip",
        }
    )
    assert len(db.repos.customers.search("acm lon")) == 1
    assert len(db.repos.customers.search("steel pipe")) == 1
    assert len(db.repos.customers.search("sales@acme")) == 1
    assert len(db.repos.customers.search("vip")) == 1
    assert db.repos.customers.search("pipes") == []


def test_renaming_a_customer_reindexes_its_contacts(db) -> None:
    cust = db.repos.customers.create({"name": "旧名称公司"})
    db.repos.contacts.create({"name": "李娜", "customer_id": cust.id})
    db.repos.customers.update(cust.id, {"name": "新名字集团"})
    assert [c.name for c in db.repos.contacts.search("新名字")] == ["李娜"]
    assert db.repos.contacts.search("旧名称") == []


def test_query_punctuation_cannot_break_the_match() -> None:
    assert match_expression('"') is None
    assert match_expression('a"b OR c*') == '"a"* AND "b"* AND "OR"* AND "c"*'


CJK = st.text(alphabet="北京上海科技有限公司张伟王芳贸易", min_size=1, max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(CJK, min_size=1, max_size=8),
    query=st.text(alphabet="北京上海科技有限公司张伟王芳贸易", min_size=1, max_size=4),
)
def test_cjk_search_equals_a_plain_substring_filter(tmp_path_factory, clock, names, query) -> None:
    """The bigram index returns exactly the names a Python `in` would."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61')")
    for i, name in enumerate(names):
        conn.execute("INSERT INTO f(rowid, body) VALUES (?, ?)", (i, index_text([name])))
    found = {
        r[0]
        for r in conn.execute("SELECT rowid FROM f WHERE f MATCH ?", (match_expression(query),))
    }
    assert found == {i for i, name in enumerate(names) if query in name}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_a_latin_name_sorts_as_pypinyin_would_without_loading_it(name: str) -> None:
    # pinyin_key skips pypinyin for a text with no Han; the key must be what it would give.
    from pypinyin import Style, lazy_pinyin

    from crm_tui.storage.search import pinyin_key

    expected = " ".join(s.strip() for s in lazy_pinyin(name, style=Style.NORMAL) if s.strip())
    assert pinyin_key(name) == expected.lower()
