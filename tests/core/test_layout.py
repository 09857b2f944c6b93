"""The dependency rules of STYLE.md and DESIGN.md, checked on the source and in a fresh
interpreter.

The static checks read every `import` in `crm_tui` (module level, inside functions and under
`TYPE_CHECKING` alike: a function-level import that only dodges a circle is still a circle).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "crm_tui"

CORE = [
    "crm_tui.domain.fields",
    "crm_tui.domain.models",
    "crm_tui.storage.database",
    "crm_tui.storage.repositories",
    "crm_tui.services.book",
    "crm_tui.demo",
    "crm_tui.cli",
]

# Layer -> what it may never import (module prefixes). The UI layers may use crm_tui only
# through services, domain, widgets (and their own package); see DESIGN.md "Layout".
UI_ALLOWED = ("crm_tui.services", "crm_tui.domain", "crm_tui.widgets", "crm_tui.config")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "crm_tui.domain": ("crm_tui.query", "crm_tui.storage", "crm_tui.services", "crm_tui.sync",
                       "crm_tui.server", "crm_tui.screens", "crm_tui.widgets", "crm_tui.cli",
                       "crm_tui.app", "crm_tui.io", "crm_tui.reports", "crm_tui.demo",
                       "textual"),
    "crm_tui.query": ("crm_tui.storage", "crm_tui.services", "crm_tui.sync", "crm_tui.server",
                      "crm_tui.screens", "crm_tui.widgets", "crm_tui.cli", "crm_tui.app",
                      "crm_tui.io", "crm_tui.reports", "sqlalchemy", "sqlmodel", "textual"),
    "crm_tui.storage": ("crm_tui.query", "crm_tui.services", "crm_tui.sync", "crm_tui.server",
                        "crm_tui.screens", "crm_tui.widgets", "crm_tui.cli", "crm_tui.app",
                        "crm_tui.io", "crm_tui.reports", "crm_tui.demo", "textual"),
    "crm_tui.services": ("crm_tui.screens", "crm_tui.widgets", "crm_tui.cli", "crm_tui.app",
                         "textual"),
    "crm_tui.sync": ("crm_tui.services", "crm_tui.screens", "crm_tui.widgets", "crm_tui.cli",
                     "crm_tui.app", "textual"),
    "crm_tui.server": ("crm_tui.storage", "crm_tui.services", "crm_tui.screens",
                       "crm_tui.widgets", "crm_tui.cli", "crm_tui.app", "textual"),
}
UI_LAYERS = {
    "crm_tui.screens": ("crm_tui.screens", "crm_tui.app"),
    "crm_tui.widgets": (),
    "crm_tui.cli": ("crm_tui.cli", "crm_tui.launch"),
    "crm_tui.app": ("crm_tui.screens", "crm_tui.app"),
}
UI_NEVER = ("sqlalchemy", "sqlmodel")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in ROOT.rglob("*.py")
        if "migrations/versions" not in p.as_posix()
    }


@cache
def _imports() -> dict[str, set[str]]:
    """Module -> every module it imports (absolute names, resolved against crm_tui)."""
    modules = _modules()
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        package = name if is_pkg else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    mod = ".".join([*base, node.module] if node.module else base)
                else:
                    mod = node.module or ""
                found.add(mod)
                for alias in node.names:
                    if f"{mod}.{alias.name}" in modules:
                        found.add(f"{mod}.{alias.name}")
        out[name] = found
    return out


def _edges() -> dict[str, set[str]]:
    """Import edges inside crm_tui, with the packages a dotted import also runs."""
    modules = _modules()
    edges: dict[str, set[str]] = {}
    for name, targets in _imports().items():
        inside = set()
        for target in targets:
            if target not in modules:
                continue
            inside.add(target)
            parts = target.split(".")
            for i in range(2, len(parts)):  # importing a.b.c runs a.b's __init__
                parent = ".".join(parts[:i])
                if parent in modules and not name.startswith(parent + ".") and parent != name:
                    inside.add(parent)
        inside.discard(name)
        edges[name] = inside
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _in(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_no_import_circles() -> None:
    cycles = _cycles(_edges())
    assert cycles == [], "import circles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_layers_import_only_downwards() -> None:
    bad = []
    for module, targets in sorted(_imports().items()):
        for layer, forbidden in FORBIDDEN.items():
            if _in(module, layer):
                bad += [f"{module} -> {t}" for t in sorted(targets)
                        if any(_in(t, f) for f in forbidden)]
    assert bad == [], "imports that run up or sideways:\n" + "\n".join(bad)


def test_screens_widgets_and_cli_use_only_services() -> None:
    bad = []
    for module, targets in sorted(_imports().items()):
        for layer, own in UI_LAYERS.items():
            if not _in(module, layer):
                continue
            for t in sorted(targets):
                if any(_in(t, f) for f in UI_NEVER):
                    bad.append(f"{module} -> {t}")
                elif _in(t, "crm_tui") and not any(_in(t, ok) for ok in (*UI_ALLOWED, *own)):
                    bad.append(f"{module} -> {t}")
    assert bad == [], "UI modules reaching past services:\n" + "\n".join(bad)


def test_only_the_app_imports_screens() -> None:
    bad = [
        f"{module} -> {t}"
        for module, targets in sorted(_imports().items())
        if not (_in(module, "crm_tui.screens") or module == "crm_tui.app")
        for t in targets
        if _in(t, "crm_tui.screens")
    ]
    assert bad == [], "\n".join(bad)


def test_one_definition_of_each_role_set() -> None:
    """Who is a manager is decided in domain/permissions.py only."""
    pattern = re.compile(
        r"""MANAGER_ROLES\s*=|\{\s*["']manager["']\s*,\s*["']admin["']|"""
        r"""\(\s*["']manager["']\s*,\s*["']admin["']|role\s*[!=]=\s*["'](manager|admin)["']"""
    )
    bad = [
        f"{path.relative_to(ROOT.parent)}:{n}: {line.strip()}"
        for path in ROOT.rglob("*.py")
        if path.name != "permissions.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert bad == [], "role rules outside domain/permissions.py:\n" + "\n".join(bad)


def test_core_never_imports_textual() -> None:
    code = (
        f"import sys; import {', '.join(CORE)}; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_cli_start_does_not_load_the_orm() -> None:
    """`crm` must start fast: SQLModel is imported only by commands that need it."""
    code = (
        "import sys; import crm_tui.cli; "
        "print(sorted(m for m in ('sqlmodel', 'sqlalchemy', 'fastapi', 'httpx') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
