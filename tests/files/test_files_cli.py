"""The file commands: attach, list, open (a fake viewer on PATH), save a copy, pin, detach,
library folders; bad input is one `error:` line, exit 1, nothing written."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from crm_tui.domain import file_specs


def _id(text: str) -> str:
    found = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]{22,}", text)
    assert found, text
    return found.group(0)


def _customer(crm) -> str:
    result = crm("add", "customer", "上海机电")
    assert result.exit_code == 0, result.stderr
    return _id(result.stdout)


def test_attach_list_open_save_and_detach(crm, tmp_path, monkeypatch) -> None:
    cust = _customer(crm)
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(b"%PDF signed" * 100)
    made = crm("attach", cust[:13], str(scan), "--note", "盖章版")
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith("attached 合同.pdf (1.1 KB) as ")
    file_id = _id(made.stdout)

    listed = crm("files", cust, "--format", "json")
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["bytes"], r["here"], r["note"]) for r in rows] == [
        ("合同.pdf", 1100, "yes", "盖章版")
    ]
    table = crm("files", cust)
    assert "合同.pdf" in table.stdout and "1.1 KB" in table.stdout
    assert file_id[:8] in table.stdout and file_id not in table.stdout  # a short id
    twice = crm("attach", cust, str(scan))  # the same file again: refused, listed once
    assert twice.exit_code == 1 and "already attached here" in twice.stderr
    assert crm("files", cust).stdout.count("合同.pdf") == 1
    copy = crm("attach", cust, str(scan), "--name", "合同-副本.pdf")  # a copy on purpose
    assert copy.exit_code == 0 and crm("detach", _id(copy.stdout)).exit_code == 0
    # Every id the CLI prints resolves.
    assert crm("show", file_id).exit_code == 0

    log = tmp_path / "viewer.log"
    fake = tmp_path / "bin" / ("open" if sys.platform == "darwin" else "xdg-open")
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$1" > {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}/usr/bin:/bin")
    opened = crm("open", file_id[:13])
    assert opened.exit_code == 0, opened.stderr
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Path(log.read_text().strip()).read_bytes() == scan.read_bytes()

    out = tmp_path / "copy.pdf"
    assert crm("open", file_id, "--save", str(out)).exit_code == 0
    assert out.read_bytes() == scan.read_bytes()
    again = crm("open", file_id, "--save", str(out))
    assert again.exit_code == 1 and "exists already" in again.stderr

    assert crm("pin", file_id).stdout.strip() == "pinned 合同.pdf"
    assert crm("detach", file_id).exit_code == 0
    assert crm("files", cust).stdout.strip() == "no files"
    assert crm("undo").exit_code == 0
    assert "合同.pdf" in crm("files", cust).stdout


def test_a_file_over_the_limit_is_refused_with_one_line(crm, tmp_path) -> None:
    cust = _customer(crm)
    big = tmp_path / "video.mp4"
    with big.open("wb") as fh:
        fh.truncate(file_specs.MAX_FILE_BYTES + 1024 * 1024)
    result = crm("attach", cust, str(big))
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "error: file: video.mp4 is 26.0 MB; files are limited to 25.0 MB each"
    )
    assert "video" not in crm("files", cust).stdout


def test_bad_input_is_one_error_line(crm, tmp_path) -> None:
    cust = _customer(crm)
    missing = crm("attach", cust, str(tmp_path / "nope.pdf"))
    assert missing.exit_code == 1 and missing.stderr.startswith("error: file: no file at")
    nobody = crm("attach", "zzzz-not-an-id", str(tmp_path))
    assert nobody.exit_code == 1 and nobody.stderr.startswith("error: no record matches")
    assert crm("open", "ffffffff").exit_code == 1
    assert crm("files", "--format", "xml").exit_code == 1


def test_library_folders(crm, tmp_path) -> None:
    made = crm("folder", "合同模板")
    assert made.exit_code == 0, made.stderr
    doc = tmp_path / "模板.docx"
    doc.write_bytes(b"PK template")
    assert crm("files").stdout.splitlines()[1].split()[1] == "合同模板/"
    nested = crm("folder", "2026", "--in", "合同模板")
    assert nested.exit_code == 0, nested.stderr
    added = crm("attach", "library", str(doc), "--folder", "合同模板")
    assert added.exit_code == 0, added.stderr
    listed = crm("files", "--folder", "合同模板")
    assert "2026/" in listed.stdout and "模板.docx" in listed.stdout
    assert "模板.docx" not in crm("files").stdout
    assert crm("files", "--folder", "没有").exit_code == 1
    # The same name again is refused (review s12): one 合同模板/ and `--folder` still works.
    again = crm("folder", "合同模板")
    assert again.exit_code == 1 and "already there" in again.stderr
    assert crm("files").stdout.count("合同模板/") == 1
    assert crm("files", "--folder", "合同模板").exit_code == 0
    assert crm("folder", "2026", "--in", "合同模板").exit_code == 1
    assert crm("folder", "2026").exit_code == 0  # another parent: fine


def test_a_claims_receipt_becomes_a_file_on_the_claim(crm, tmp_path) -> None:
    scan = tmp_path / "发票.jpg"
    scan.write_bytes(b"\xff\xd8 receipt")
    made = crm("add", "expense", "120", "--receipt", str(scan))
    assert made.exit_code == 0, made.stderr
    claim = made.stdout.strip()
    rows = json.loads(crm("files", claim, "--format", "json").stdout)
    assert [(r["name"], r["note"]) for r in rows] == [("发票.jpg", "receipt")]
    shown = json.loads(crm("show", claim, "--format", "json").stdout)[0]
    assert shown["receipt"] == "发票.jpg"  # the name, not this laptop's path
    big = tmp_path / "scan.tif"
    with big.open("wb") as fh:
        fh.truncate(file_specs.MAX_FILE_BYTES + 1024 * 1024)
    refused = crm("add", "expense", "50", "--receipt", str(big))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: receipt: scan.tif is 26.0 MB")
    listed = json.loads(crm("list", "expenses", "--format", "json").stdout)
    assert len(listed) == 1  # nothing written for the refused claim


def test_a_backup_keeps_the_attached_files_and_a_restore_brings_them_back(crm, tmp_path) -> None:
    """Review s15 W12: `crm backup` kept the rows but not the files' contents, so a book
    that never synced lost its receipts and scans on restore."""
    cust = _customer(crm)
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(b"%PDF signed" * 100)
    crm("attach", cust, str(scan))
    backup = tmp_path / "book.crm"
    done = crm("backup", str(backup))
    assert done.exit_code == 0 and "and 1 attached files" in done.stdout
    fresh = tmp_path / "restored.db"
    back = crm("restore", str(backup), db=fresh)
    assert back.exit_code == 0 and "and 1 attached files" in back.stdout
    rows = json.loads(crm("files", cust, "--format", "json", db=fresh).stdout)
    assert [(r["name"], r["here"]) for r in rows] == [("合同.pdf", "yes")]
    copy = tmp_path / "copy.pdf"
    saved = crm("open", rows[0]["id"], "--save", str(copy), db=fresh)
    assert saved.exit_code == 0, saved.stderr
    assert copy.read_bytes() == scan.read_bytes()
