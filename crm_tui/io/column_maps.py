"""Provides automatic column maps: which header in another tool's export means which field.

Headers are compared after normalising (NFKC, case folded, spaces and punctuation
dropped), so 'E-mail Address', 'email_address' and 'Email Address' are one key. Besides
the registry's fields a column may map to a pseudo-field the importer understands:
`first_name`/`middle_name`/`last_name` (joined into `name`), `customer` / `contact` /
`opportunity` / `competitor` (a related record by its name), and `id`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from crm_tui.domain.fields import ENTITIES
from crm_tui.io.member_columns import MEMBER_ALIASES

NAME_PARTS = ("first_name", "middle_name", "last_name")

_PUNCT_RE = re.compile(r"[\s_\-./:()#*'\"·、，,]+")


def normalize(header: str) -> str:
    return _PUNCT_RE.sub("", unicodedata.normalize("NFKC", header).casefold())


_NOTES = (
    "notes",
    "note",
    "description",
    "comments",
    "comment",
    "remarks",
    "备注",
    "说明",
    "描述",
    "备注信息",
)
_BIRTHDAY = ("birthday", "dateofbirth", "birthdate", "生日", "出生日期")
_EMAIL = (
    "email",
    "emailaddress",
    "e-mail",
    "email1value",
    "primaryemail",
    "emailaddress1",
    "workemail",
    "邮箱",
    "电子邮箱",
    "电子邮件",
    "邮件",
    "email地址",
)
_COMPANY = (
    "company",
    "companyname",
    "account",
    "accountname",
    "organization",
    "organisation",
    "organizationname",
    "organization1name",
    "customer",
    "customername",
    "associatedcompany",
    "客户名称",
    "客户",
    "公司",
    "公司名称",
    "企业名称",
    "单位名称",
    "单位",
    "所属客户",
    "客户名",
)

# Field -> header keys (already normalised), per entity. Salesforce, HubSpot and Zoho
# exports, Google Contacts (old and new CSV), Outlook, and Chinese CRM/Excel headers.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "customer": {
        "name": (*_COMPANY, "name", "fullname", "displayname", "名称", "姓名"),
        "phone": (
            "phone",
            "phonenumber",
            "businessphone",
            "companyphone",
            "mainphone",
            "phone1value",
            "telephone",
            "tel",
            "电话",
            "手机",
            "联系电话",
            "手机号",
            "手机号码",
            "固定电话",
            "座机",
        ),
        "email": _EMAIL,
        "city": (
            "city",
            "billingcity",
            "businesscity",
            "mailingcity",
            "address1city",
            "城市",
            "所在城市",
            "所在地",
        ),
        "address": (
            "address",
            "street",
            "billingstreet",
            "businessstreet",
            "billingaddress",
            "address1street",
            "address1formatted",
            "地址",
            "详细地址",
            "公司地址",
            "联系地址",
        ),
        "website": (
            "website",
            "web",
            "url",
            "webpage",
            "websiteurl",
            "website1value",
            "网址",
            "网站",
            "公司网址",
        ),
        "industry": ("industry", "行业", "所属行业"),
        "source": ("source", "leadsource", "accountsource", "originalsource", "来源", "客户来源"),
        "status": ("status", "状态", "客户状态"),
        "grade": ("grade", "等级", "客户等级", "客户级别", "级别"),
        "kind": ("kind", "客户类型"),
        "tags": ("tags", "tag", "标签"),
        "notes": _NOTES,
        "birthday": _BIRTHDAY,
    },
    "contact": {
        "name": (
            "name",
            "fullname",
            "displayname",
            "contactname",
            "contact",
            "联系人",
            "联系人姓名",
            "姓名",
        ),
        "first_name": ("firstname", "givenname", "名"),
        "middle_name": ("middlename", "additionalname"),
        "last_name": ("lastname", "familyname", "surname", "姓"),
        "customer": _COMPANY,
        "title": (
            "title",
            "jobtitle",
            "position",
            "organization1title",
            "organizationtitle",
            "职位",
            "职务",
            "头衔",
        ),
        "phone": (
            "phone",
            "businessphone",
            "workphone",
            "phonenumber",
            "phone1value",
            "officephone",
            "telephone",
            "电话",
            "办公电话",
            "座机",
            "联系电话",
        ),
        "mobile": (
            "mobile",
            "mobilephone",
            "cellphone",
            "mobilephonenumber",
            "phone2value",
            "手机",
            "手机号",
            "手机号码",
            "移动电话",
        ),
        "email": _EMAIL,
        "birthday": _BIRTHDAY,
        "notes": _NOTES,
    },
    "activity": {
        "subject": ("subject", "activity", "title", "主题", "跟进主题", "事项"),
        "customer": _COMPANY,
        "contact": ("contact", "contactname", "name", "联系人"),
        "opportunity": ("opportunity", "deal", "opportunityname", "dealname", "商机", "商机名称"),
        "kind": ("kind", "type", "activitytype", "tasktype", "类型", "跟进方式", "跟进类型"),
        "due_at": (
            "due",
            "dueat",
            "duedate",
            "activitydate",
            "date",
            "跟进时间",
            "计划时间",
            "日期",
            "截止日期",
        ),
        "remind_at": ("remind", "reminder", "remindat", "提醒时间"),
        "done_at": ("done", "doneat", "completed", "completeddate", "完成时间"),
        "outcome": ("outcome", "result", "结果", "跟进结果"),
        "notes": _NOTES,
    },
    "opportunity": {
        "title": (
            "title",
            "opportunityname",
            "dealname",
            "potentialname",
            "name",
            "商机名称",
            "机会名称",
            "项目名称",
            "商机",
        ),
        "customer": _COMPANY,
        "stage": ("stage", "dealstage", "阶段", "销售阶段"),
        "amount": ("amount", "dealamount", "value", "金额", "预计金额", "商机金额"),
        "currency": ("currency", "currencycode", "币种", "货币"),
        "probability": ("probability", "probability%", "概率", "赢率", "成交概率"),
        "expected_close": (
            "expectedclose",
            "closedate",
            "expectedclosedate",
            "expectedrevenuedate",
            "预计成交日期",
            "预计签单日期",
        ),
        "next_step": ("nextstep", "下一步"),
        "competitor": ("competitor", "竞争对手"),
        "lost_reason": ("lostreason", "closedlostreason", "输单原因"),
    },
    "campaign_member": MEMBER_ALIASES,  # a registration list (issue 16): io/member_columns.py
}


def targets(entity: str) -> set[str]:
    """Every field or pseudo-field a column of this entity may map to."""
    spec = ENTITIES[entity]
    out = set(spec.field_names) | {"id"}
    for f in spec.fields:
        if f.kind == "ref":
            out.add(ref_name_column(f.name))
    if entity == "contact":
        out |= set(NAME_PARTS)
    return out


def ref_name_column(field_name: str) -> str:
    """'customer_id' -> 'customer': the column holding the related record's name."""
    return field_name[:-3] if field_name.endswith("_id") else field_name


def _lookup(entity: str) -> dict[str, str]:
    spec = ENTITIES[entity]
    table: dict[str, str] = {}
    # Our own export's column names and labels first, so a re-import maps exactly.
    for name in sorted(targets(entity)):
        table.setdefault(normalize(name), name)
    for f in spec.fields:
        table.setdefault(normalize(f.title), f.name)
    for field_name, keys in ALIASES.get(entity, {}).items():
        for key in keys:
            table.setdefault(normalize(key), field_name)
    return table


def auto_map(
    headers: Sequence[str], entity: str, explicit: Mapping[str, str] | None = None
) -> dict[int, str]:
    """Column index -> field for a header row; unknown columns are left out.

    `explicit` ('Header' -> 'field', '' to ignore) wins over the automatic guesses; its
    headers match exactly or after normalising.
    """
    table = _lookup(entity)
    wanted = {normalize(k): v for k, v in (explicit or {}).items()}
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = normalize(header)
        if header in (explicit or {}):
            target = (explicit or {})[header]
        elif key in wanted:
            target = wanted[key]
        else:
            target = table.get(key, "")
        if target:
            mapping[index] = target
    return mapping


def check_explicit(explicit: Mapping[str, str], entity: str) -> None:
    """Refuse a `--map col=field` whose field this entity does not have."""
    allowed = targets(entity)
    for column, target in explicit.items():
        if target and target not in allowed:
            raise ValueError(
                f"--map {column}={target}: {ENTITIES[entity].plural} have no field "
                f"'{target}' (one of: {', '.join(sorted(allowed))})"
            )


def header_score(cells: Sequence[str], entity: str) -> int:
    """How many cells of a row look like column names of this entity."""
    table = _lookup(entity)
    return sum(1 for cell in cells if cell.strip() and normalize(cell) in table)
