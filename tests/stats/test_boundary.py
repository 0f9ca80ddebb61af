"""habeas.stats is pure Python: importing all of it must not import Django."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import habeas.stats


def test_habeas_stats_never_imports_django():
    modules = [m.name for m in pkgutil.walk_packages(habeas.stats.__path__, "habeas.stats.")]
    assert "habeas.stats.estimation.table" in modules
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
    code += "assert not bad, bad\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
