"""Provides the quote document (报价单) as HTML and Markdown, with the company header.

The HTML is one self-contained file (inline CSS, no scripts, no web fonts): it names CJK
fonts a reader's system has (Noto Sans CJK, PingFang, Microsoft YaHei…) and prints cleanly
from any browser, which is how a PDF is made (see README: no PDF library here renders CJK
text without system fonts).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from crm_tui.domain.money import format_money
from crm_tui.domain.sales_docs import QuoteDoc

FORMATS = ("html", "md")

_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei",
       "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; color: #222; margin: 2.5em; }
header { display: flex; justify-content: space-between; border-bottom: 2px solid #333; }
header .company { font-size: 1.3em; font-weight: bold; }
header .contact { text-align: right; font-size: .9em; color: #555; }
h1 { font-size: 1.6em; margin: .8em 0 .2em; }
.meta { color: #555; margin-bottom: 1.2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: .35em .5em; }
th { background: #f0f0f0; }
td.num { text-align: right; white-space: nowrap; }
.totals td { border: none; }
.totals td.label { text-align: right; }
.total td { font-weight: bold; font-size: 1.1em; }
.notes { margin-top: 1.5em; white-space: pre-wrap; }
@media print { body { margin: 1cm; } }
"""

LABELS = {
    "title": "报价单 Quotation",
    "number": "编号 No.",
    "customer": "客户 Customer",
    "issued": "日期 Date",
    "valid": "有效期至 Valid until",
    "item": "品名 Item",
    "model": "型号 Model",
    "unit": "单位 Unit",
    "qty": "数量 Qty",
    "price": "单价 Unit price",
    "discount": "折扣 Discount",
    "amount": "金额 Amount",
    "subtotal": "小计 Subtotal",
    "tax": "税额 Tax",
    "total": "合计 Total",
    "notes": "备注 Notes",
}


def render(doc: QuoteDoc, fmt: str) -> str:
    if fmt == "html":
        return to_html(doc)
    if fmt == "md":
        return to_markdown(doc)
    raise ValueError(f"unknown format '{fmt}'; one of {', '.join(FORMATS)}")


def format_for(path: Path) -> str:
    """The format a file name asks for: .html/.htm or .md/.markdown."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "md"
    raise ValueError(f"'{path.name}': write the quote to a .html or .md file")


def _m(doc: QuoteDoc, minor: int) -> str:
    return format_money(minor, doc.currency)


def to_html(doc: QuoteDoc) -> str:
    e = escape
    c = doc.company
    contact = "<br>".join(
        e(v) for v in (c.get("address"), c.get("phone"), c.get("email"), c.get("tax_id")) if v
    )
    rows = "\n".join(
        "<tr>"
        f"<td class=num>{ln.position}</td><td>{e(ln.description)}</td><td>{e(ln.model)}</td>"
        f"<td>{e(ln.unit)}</td><td class=num>{ln.quantity}</td>"
        f"<td class=num>{e(_m(doc, ln.unit_price))}</td><td class=num>{e(ln.discount)}</td>"
        f"<td class=num>{e(_m(doc, ln.net))}</td>"
        "</tr>"
        for ln in doc.lines
    )
    t = doc.totals
    L = LABELS
    valid = doc.valid_until.isoformat() if doc.valid_until else "—"
    notes = f'<div class="notes"><b>{L["notes"]}</b><br>{e(doc.notes)}</div>' if doc.notes else ""
    bank = f"<p>{e(c['bank'])}</p>" if c.get("bank") else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{e(L["title"])} {e(doc.number)}</title>
<style>{_CSS}</style></head>
<body>
<header><div class="company">{e(c.get("name") or "")}</div>
<div class="contact">{contact}</div></header>
<h1>{L["title"]}</h1>
<div class="meta">{L["number"]}: {e(doc.number)} (v{doc.revision}) · {L["customer"]}:
{e(doc.customer)} · {L["issued"]}: {doc.issued_on.isoformat()} · {L["valid"]}: {valid}</div>
<p><b>{e(doc.title)}</b></p>
<table>
<thead><tr><th>#</th><th>{L["item"]}</th><th>{L["model"]}</th><th>{L["unit"]}</th>
<th>{L["qty"]}</th><th>{L["price"]}</th><th>{L["discount"]}</th><th>{L["amount"]}</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<table class="totals">
<tr><td class=label>{L["subtotal"]}</td><td class=num>{e(_m(doc, t.subtotal))}</td></tr>
<tr><td class=label>{L["tax"]} ({e(doc.tax_rate)})</td><td class=num>{e(_m(doc, t.tax))}</td></tr>
<tr class="total"><td class=label>{L["total"]}</td><td class=num>{e(_m(doc, t.total))}</td></tr>
</table>
{notes}
{bank}
</body>
</html>
"""


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(doc: QuoteDoc) -> str:
    L = LABELS
    c = doc.company
    t = doc.totals
    head = [f"**{_md_cell(c['name'])}**" if c.get("name") else ""]
    head += [_md_cell(c[k]) for k in ("address", "phone", "email", "tax_id") if c.get(k)]
    out = [line + "  " for line in head if line]
    valid = doc.valid_until.isoformat() if doc.valid_until else "—"
    out += [
        "",
        f"# {L['title']}",
        "",
        f"{L['number']}: {doc.number} (v{doc.revision})  ",
        f"{L['customer']}: {_md_cell(doc.customer)}  ",
        f"{L['issued']}: {doc.issued_on.isoformat()}  ",
        f"{L['valid']}: {valid}",
        "",
        f"**{_md_cell(doc.title)}**",
        "",
        f"| # | {L['item']} | {L['model']} | {L['unit']} | {L['qty']} | {L['price']} "
        f"| {L['discount']} | {L['amount']} |",
        "|---:|---|---|---|---:|---:|---:|---:|",
    ]
    for ln in doc.lines:
        out.append(
            f"| {ln.position} | {_md_cell(ln.description)} | {_md_cell(ln.model)} "
            f"| {_md_cell(ln.unit)} | {ln.quantity} | {_m(doc, ln.unit_price)} "
            f"| {ln.discount} | {_m(doc, ln.net)} |"
        )
    out += [
        "",
        f"{L['subtotal']}: {_m(doc, t.subtotal)}  ",
        f"{L['tax']} ({doc.tax_rate}): {_m(doc, t.tax)}  ",
        f"**{L['total']}: {_m(doc, t.total)}**",
    ]
    if doc.notes:
        out += ["", f"{L['notes']}: {_md_cell(doc.notes)}"]
    if c.get("bank"):
        out += ["", _md_cell(c["bank"])]
    return "\n".join(out) + "\n"


def write(doc: QuoteDoc, path: Path) -> str:
    """Write the document where `path` says, in the format its suffix asks; returns it."""
    fmt = format_for(path)
    path.write_text(render(doc, fmt), encoding="utf-8")
    return fmt
