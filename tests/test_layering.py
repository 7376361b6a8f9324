"""The house's layering, read from the source: physics packages never import the CLI or the report (except the
Check record), matplotlib is imported only in plots modules, and every physics package's checks.py is listed in
the report's registry."""

import ast
from pathlib import Path

import deeprg
from deeprg.report.checks import PROVIDERS

ROOT = Path(deeprg.__file__).parent
UPPER = ("cli", "report")


def _imports(path: Path) -> list[str]:
    """Absolute module names imported by ``path`` (relative imports resolved against its package)."""
    package = ".".join(("deeprg", *path.relative_to(ROOT).parent.parts))
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names += [base] + [f"{base}.{a.name}" for a in node.names]
    return names


def _sources():
    return [p for p in ROOT.rglob("*.py") if p.relative_to(ROOT).parts[0] not in UPPER]


def test_no_upward_imports():
    bad = {}
    for path in _sources():
        up = [n for n in _imports(path) if n.startswith(("deeprg.cli", "deeprg.report"))
              and not n.startswith("deeprg.report.check")]
        if up:
            bad[str(path.relative_to(ROOT))] = up
    assert bad == {}


def test_matplotlib_only_in_plots_modules():
    users = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                   if any(n.split(".")[0] == "matplotlib" for n in _imports(p)))
    assert users and all(Path(u).name == "plots.py" for u in users), users


def test_every_checks_module_is_a_provider():
    modules = {p.module for p in PROVIDERS}
    found = {".".join(("deeprg", *p.relative_to(ROOT).with_suffix("").parts)) for p in ROOT.rglob("checks.py")
             if p.relative_to(ROOT).parts[0] != "report"}
    assert found == modules
