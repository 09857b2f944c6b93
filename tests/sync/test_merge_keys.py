"""The keys that make two customers one company (domain/customer_keys.py)."""

from __future__ import annotations

from crm_tui.domain.customer_keys import customer_keys, normalise_name


def test_company_suffixes_case_width_and_punctuation_do_not_matter() -> None:
    assert normalise_name("Huawei Tech Co., Ltd.") == normalise_name("HUAWEI TECH") == "huaweitech"
    assert normalise_name("华为技术有限公司") == normalise_name("华为技术") == "华为技术"
    assert normalise_name("ＡＣＭＥ Inc") == normalise_name("acme")


def test_phone_matches_on_its_last_digits_and_email_on_case() -> None:
    a = customer_keys({"name": "X", "phone": "+86 755 2878 0808", "email": "Sales@X.cn "})
    b = customer_keys({"name": "Y", "phone": "0755-2878-0808", "email": "sales@x.cn"})
    assert a & b == {"phone:75528780808", "email:sales@x.cn"}
    assert customer_keys({"name": "Ltd", "phone": "123"}) == {"name:ltd"}
