"""Every module the running platform imports comes from a dependency it declares.

The image installs the runtime dependencies only (`pip install .`): a module that the development
extra happens to bring (PyYAML did, for the gateway's API page) would be missing there.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ("common", "services", "gateway", "launcher")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported() -> dict[str, set[str]]:
    """Return each top-level module the runtime packages import, with the files importing it."""
    found: dict[str, set[str]] = {}
    for package in RUNTIME:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_module_the_platform_imports_is_a_declared_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(requirement) for requirement in project["dependencies"]}
    distributions = packages_distributions()
    undeclared = {}
    for module, files in _imported().items():
        if module in sys.stdlib_module_names or module in RUNTIME:
            continue
        owners = {_name(d) for d in distributions.get(module, [module])}
        if not owners & declared:
            undeclared[module] = sorted(files)
    assert not undeclared, f"imported but not in [project].dependencies: {undeclared}"


def _locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {_name(name): version for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_the_lock_pins_every_runtime_dependency_at_its_declared_version_with_hashes():
    """requirements.lock (make lock) is what the image installs: it must follow pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = _locked()
    for requirement in project["dependencies"]:
        name, version = _name(requirement), requirement.split("==")[1]
        assert locked.get(name) == version, (
            f"{name}: {locked.get(name)} in the lock, {version} declared (make lock)"
        )
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]} - {
        _name(r) for r in project["dependencies"]
    }
    assert not dev & set(locked), f"development packages in the runtime lock: {dev & set(locked)}"
    blocks = re.split(r"^(?=[A-Za-z0-9_.-]+==)", (ROOT / "requirements.lock").read_text(), flags=re.M)
    assert all("--hash=sha256:" in block for block in blocks if block.strip()), "a package without its hashes"
