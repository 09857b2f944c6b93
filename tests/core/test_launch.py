"""`crm` with no subcommand opens the app without loading the CLI (a fifth of cold start)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crm_tui.launch import app_options


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {}),
        (["--db", "a.db"], {"--db": "a.db"}),
        (["--db=a.db"], {"--db": "a.db"}),
        (["--now", "2026-11-23T09:00", "--db", "x"], {"--now": "2026-11-23T09:00", "--db": "x"}),
        (["list", "customers"], None),
        (["--help"], None),
        (["--db"], None),  # the CLI says the value is missing
        (["--db", "--help"], None),
        (["--db", "a", "--db", "b"], None),
        (["--db", "a.db", "sync"], None),
    ],
)
def test_only_plain_app_invocations_skip_the_cli(
    argv: list[str], expected: dict[str, str] | None
) -> None:
    assert app_options(argv) == expected


def test_the_app_path_loads_neither_typer_nor_markdown() -> None:
    code = (
        "import sys, crm_tui.launch, crm_tui.app; "
        "print(sorted(m for m in ('typer', 'click', 'markdown_it') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unopenable_database_is_one_line_and_exit_1(tmp_path) -> None:
    folder = tmp_path / "not-a-folder"
    folder.write_text("a file where a folder should be")
    code = "import sys; from crm_tui.launch import main; sys.argv[1:1] = ['--db']; main()"
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder / "crm.db")], capture_output=True, text=True
    )
    assert out.returncode == 1
    assert out.stderr.startswith("error: cannot open database")
    assert "Traceback" not in out.stderr


def test_the_cli_opens_the_app_through_the_opener_it_is_handed(tmp_path, monkeypatch) -> None:
    from crm_tui.cli import main

    opened = []
    path = tmp_path / "book.db"
    for argv in (
        ["--db", str(path), "--now", "2026-11-23T09:00"],
        ["--db", str(path), "--now", "2026-11-23T09:00", "demo", "--customers", "3"],
    ):
        monkeypatch.setattr(sys, "argv", ["crm", *argv])
        with pytest.raises(SystemExit) as done:
            main(open_app=lambda where, clock: opened.append((where, clock.today().isoformat())))
        assert done.value.code == 0
    assert opened == [(path, "2026-11-23"), (path, "2026-11-23")]


def test_without_an_opener_the_cli_says_so(tmp_path, monkeypatch) -> None:
    from crm_tui.cli import main

    monkeypatch.setattr(sys, "argv", ["crm", "--db", str(tmp_path / "b.db"), "--now", "2026-11-23"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1


def test_without_a_terminal_the_app_refuses_and_the_demo_only_writes(tmp_path) -> None:
    # Textual cannot read keys without a terminal (its input thread would spin a core
    # forever): `crm` from a script says so, `crm demo` still writes the book.
    book = tmp_path / "demo.db"

    def crm(*argv: str) -> subprocess.CompletedProcess[str]:
        code = (
            "import sys; from crm_tui import launch; "
            "sys.argv = ['crm', *sys.argv[1:]]; launch.main()"
        )
        return subprocess.run(
            [sys.executable, "-c", code, *argv],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )

    demo = crm("--db", str(book), "demo", "--customers", "20")
    assert demo.returncode == 1 and book.exists()  # the book is written, the app not opened
    assert "error: crm opens its screens in a terminal" in demo.stderr
    assert "crm demo --no-open only writes the book" in demo.stderr
    plain = crm("--db", str(book))
    assert plain.returncode == 1
    assert plain.stderr.startswith("error: crm opens its screens in a terminal")
    assert "Traceback" not in plain.stderr + demo.stderr
