"""Provides the column map of a registration list (issue 16): the headers a web form's or
Excel's export of sign-ups uses for a campaign member's fields, Chinese included (姓名, 手机,
公司…). Keys are normalised as io/column_maps.normalize does (case folded, no spaces or
punctuation); column_maps.ALIASES holds this table under "campaign_member"."""

from __future__ import annotations

MEMBER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "fullname",
        "yourname",
        "attendee",
        "registrant",
        "姓名",
        "名字",
        "报名人",
        "参会人",
        "联系人",
        "参会人姓名",
    ),
    "phone": (
        "phone",
        "mobile",
        "cellphone",
        "phonenumber",
        "mobilephone",
        "tel",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
        "联系方式",
    ),
    "company": (
        "company",
        "companyname",
        "organization",
        "organisation",
        "公司",
        "公司名称",
        "单位",
        "单位名称",
        "企业名称",
        "工作单位",
    ),
    "email": ("email", "emailaddress", "e-mail", "邮箱", "电子邮箱", "电子邮件"),
    "notes": ("notes", "note", "remarks", "comments", "备注", "留言", "说明"),
}
