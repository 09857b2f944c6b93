"""A CSV file's rows as the import reads them: each field from its column, the first
non-empty one when two columns map to the same field, and blank lines passed over."""

from __future__ import annotations

from crm_tui.io.csv_import import plan_csv


def test_two_columns_of_one_field_give_the_first_non_empty(write) -> None:
    text = "Name,Tel,Phone 2,City\nAcme,,010-1234,北京\nBeta,021-5555,021-6666,\n"
    plan = plan_csv(write("c.csv", text), "customer", explicit={"Tel": "phone", "Phone 2": "phone"})
    rows = [(line, values) for line, values, _cells, _why in plan.rows()]
    assert rows == [
        (2, {"name": "Acme", "phone": "010-1234", "city": "北京"}),
        (3, {"name": "Beta", "phone": "021-5555"}),
    ]
    assert any("both map to phone" in note for note in plan.notes())


def test_blank_rows_are_passed_over_and_values_keep_the_column_order(write) -> None:
    text = "city,name,phone\n 上海 , 远航 ,  \n , ,\t\n\n北京,华信,010-1\n"
    plan = plan_csv(write("c.csv", text), "customer")
    rows = [(line, values) for line, values, _cells, _why in plan.rows()]
    assert rows == [
        (2, {"city": "上海", "name": "远航"}),
        (5, {"city": "北京", "name": "华信", "phone": "010-1"}),
    ]
    assert [list(values) for _line, values in rows] == [["city", "name"], ["city", "name", "phone"]]
