"""The apps stand in floors (``[tool.importlinter]`` in pyproject.toml, drawn in docs/architecture.md): each imports
only from the floors below it, apps on one floor do not import each other, and no app below the command line hides
an import of another inside a function to get round the rule."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the floors above every app, which may import anything below them when they need it
TOP = {"cli", "config", "api"}


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the package ``habeas`` under ``root`` with the contract of ``root/pyproject.toml``."""
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the project's code (its Python files) and of its contract, to plant imports in."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")

    def not_code(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if (not n.endswith(".py") and not (Path(folder) / n).is_dir()) or n == "__pycache__"]

    shutil.copytree(ROOT / "habeas", tmp_path / "habeas", ignore=not_code)
    return tmp_path


def test_the_apps_keep_their_floors():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_of_a_floor_above_breaks_the_contract(copy):
    # the registry (persons, places) reading the cases above it, as registry/timeline.py once did
    (copy / "habeas" / "registry" / "upward.py").write_text("from habeas.cases.models import Allegation\n")
    result = lint(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "habeas.registry.upward -> habeas.cases.models" in result.stdout


def test_an_import_between_two_apps_of_one_floor_breaks_the_contract(copy):
    (copy / "habeas" / "monitoring" / "sideways.py").write_text(
        "def allegations():\n    from habeas.cases.models import Allegation\n\n    return Allegation\n"
    )
    result = lint(copy)
    assert result.returncode != 0
    assert "habeas.monitoring.sideways -> habeas.cases.models" in result.stdout


def test_a_new_package_without_a_floor_breaks_the_contract(copy):
    (copy / "habeas" / "newcomer").mkdir()
    (copy / "habeas" / "newcomer" / "__init__.py").write_text("")
    result = lint(copy)
    assert result.returncode != 0
    assert "habeas.newcomer" in result.stdout + result.stderr


def inner_imports(source: str) -> list[str]:
    """The imports of habeas inside functions of ``source``, but those allowed: in ``AppConfig.ready`` (an app's
    models may be imported only once every app is loaded) and of ``habeas.stats`` (the statistics package
    takes seconds to load, so it is loaded when a statistic is first needed)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "ready":
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    modules = [inner.module or ""]
                elif isinstance(inner, ast.Import):
                    modules = [alias.name for alias in inner.names]
                else:
                    continue
                if any(m.startswith("habeas") and not m.startswith("habeas.stats") for m in modules):
                    found.append(f"{inner.lineno}: {ast.unparse(inner)}")
    return found


def test_an_import_inside_a_function_is_found():
    source = "def person_file():\n    from habeas.cases.models import Allegation\n\n    return Allegation\n"
    assert inner_imports(source) == ["2: from habeas.cases.models import Allegation"]


def test_an_import_in_an_apps_ready_or_of_the_statistics_is_allowed():
    source = (
        "class FilesConfig:\n    def ready(self):\n        from habeas.files import views\n\n"
        "def keys():\n    from habeas.stats.linkage.normalise import phonetic_key\n"
    )
    assert inner_imports(source) == []


def test_no_app_below_the_command_line_imports_another_inside_a_function():
    found = [
        f"{path.relative_to(ROOT)}:{where}"
        for path in sorted((ROOT / "habeas").rglob("*.py"))
        if path.relative_to(ROOT / "habeas").parts[0] not in TOP and "migrations" not in path.parts
        for where in inner_imports(path.read_text())
    ]
    assert found == []
