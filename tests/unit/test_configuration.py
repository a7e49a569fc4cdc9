"""The settings have one place: every variable a field, documented, and read nowhere else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from common.settings import Settings
from launcher import settings as launcher

ROOT = Path(__file__).resolve().parents[2]
# The one module that reads the environment, and the one that hands its reading out.
READERS = {"common/settings.py", "common/config.py"}


def _section() -> str:
    """Return README.md's section "Environment variables"."""
    return (ROOT / "README.md").read_text().split("\n## Environment variables\n", 1)[1].split("\n## ", 1)[0]


def _documented() -> set[str]:
    """Return the variables README.md's table names in its first column."""
    rows = [line.split("|")[1] for line in _section().splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row)}


def _launchers() -> set[str]:
    """Return the variables `make run` reads itself (launcher/settings.py)."""
    source = (ROOT / "launcher" / "settings.py").read_text()
    return set(re.findall(r'_(?:env|whole)\("([A-Z][A-Z0-9_]*)"', source)) | {
        launcher.variable(name) for name in launcher.PORTS
    }


def test_every_setting_is_in_the_readme_table_and_every_variable_there_is_read():
    fields = {name.upper() for name in Settings.DESCRIPTIONS}
    documented = _documented()
    assert not fields - documented, f"settings missing from README.md's table: {sorted(fields - documented)}"
    unknown = documented - fields - _launchers()
    assert not unknown, f"README.md's table names variables nothing reads: {sorted(unknown)}"


def test_the_readme_says_a_wrong_value_stops_the_process():
    section = _section()
    assert "checks its settings as it starts" in section and "stops it at once" in section


def test_every_setting_says_what_it_is():
    assert [name for name, description in Settings.DESCRIPTIONS.items() if not description.strip()] == []


def _environment_reads(path: Path) -> list[int]:
    """Return the lines where a module reads the environment (os.environ, os.getenv)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if {alias.name for alias in node.names} & {"environ", "environb", "getenv"}:
                found.append(node.lineno)
    return found


def test_only_the_settings_read_the_environment():
    readers = {}
    for package in ("common", "services", "gateway"):
        for path in sorted((ROOT / package).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            if where not in READERS and _environment_reads(path):
                readers[where] = _environment_reads(path)
    assert readers == {}, f"read config.settings() instead of the environment: {readers}"


def test_the_scan_finds_each_way_of_reading_the_environment(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('import os\nfrom os import getenv\na = os.environ["A"]\nb = os.getenv("B")\n')
    assert _environment_reads(probe) == [2, 3, 4]
