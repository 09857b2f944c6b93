"""Provides report files: Markdown, CSV (long form) and self-contained, escaped HTML."""

from __future__ import annotations

import csv
import io
from html import escape

from crm_tui.reports.model import Report, Section, cell_text, is_number, numeric, to_rows

FORMATS = ("md", "csv", "html")


def render(report: Report, fmt: str) -> str:
    if fmt == "md":
        return to_markdown(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    raise ValueError(f"'{fmt}' is not one of {', '.join(FORMATS)}")


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    out = [f"# {report.title}", "", f"{report.subtitle}", ""]
    for sec in report.sections:
        out += [f"## {_md_escape(sec.title)}", ""]
        out.append("| " + " | ".join(_md_escape(c) for c in sec.columns) + " |")
        aligns = [
            "---:" if any(is_number(r[i]) for r in sec.rows) else "---"
            for i in range(len(sec.columns))
        ]
        out.append("| " + " | ".join(aligns) + " |")
        for row in sec.rows:
            cells = [_md_escape(cell_text(c, report.currency)) for c in row]
            out.append("| " + " | ".join(cells) + " |")
        if not sec.rows:
            out.append("| " + " | ".join("" for _ in sec.columns) + " |")
        if sec.note:
            out += ["", f"_{_md_escape(sec.note)}_"]
        out.append("")
    return "\n".join(out)


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=["section", "row", "column", "value"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(to_rows(report))
    return buf.getvalue()


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}
table{border-collapse:collapse;margin:.5em 0 .3em}
th,td{padding:.2em .7em;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.bar{width:14em}.bar div{background:#4a7fb5;height:.8em}
.note{color:#666;font-size:.9em}
"""


def _html_section(sec: Section, currency: str) -> list[str]:
    out = [f"<h2>{escape(sec.title)}</h2>", "<table>", "<tr>"]
    out += [f"<th>{escape(c)}</th>" for c in sec.columns]
    peak = 0.0
    if sec.chart:
        out.append("<th></th>")
        peak = max((abs(numeric(r[sec.chart.value])) for r in sec.rows), default=0.0)
    out.append("</tr>")
    for row in sec.rows:
        out.append("<tr>")
        for cell in row:
            cls = ' class="n"' if is_number(cell) else ""
            out.append(f"<td{cls}>{escape(cell_text(cell, currency))}</td>")
        if sec.chart:
            width = 100.0 * abs(numeric(row[sec.chart.value])) / peak if peak else 0.0
            out.append(f'<td class="bar"><div style="width:{width:.1f}%"></div></td>')
        out.append("</tr>")
    out.append("</table>")
    if sec.note:
        out.append(f'<p class="note">{escape(sec.note)}</p>')
    return out


def to_html(report: Report) -> str:
    """One file with its own style: no scripts, no links, every text escaped."""
    title = escape(f"{report.title} {report.period.label}")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="sub">{escape(report.subtitle)}</p>',
    ]
    for sec in report.sections:
        out += _html_section(sec, report.currency)
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
