"""Where things live (docs/architecture.md) holds: no import circle, pure rules, the store's operators in
the store modules only, no service talking to another, and modules of one idea each."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("common", "services", "gateway", "launcher")
SERVICES = ("intake", "tracking", "notification", "feedback")
# What a rules module may not reach: the store, the settings, the web, the mail, the broker.
IMPURE = (
    "pymongo",
    "bson",
    "flask",
    "smtplib",
    "pika",
    "requests",
    "common.config",
    "common.settings",
    "common.mongo",
    "common.outbox",
    "common.broker",
)
# A store operator as the code writes it: "$set", "$in", "$lt"…
OPERATOR = re.compile(r"""["']\$[a-zA-Z]+["']""")
LONGEST = 360  # lines: past about 350 a module usually holds two ideas


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def imports(path: Path) -> set[str]:
    """Return the modules a module imports anywhere in its code (`from a import b`: a.b when a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named = {f"{node.module}.{alias.name}" for alias in node.names}
            found.update(named & MODULES.keys())
            if named - MODULES.keys():  # a name of the module itself, not one of its submodules
                found.add(node.module)
    return found


GRAPH = {name: {i for i in imports(path) if i in MODULES and i != name} for name, path in MODULES.items()}


def test_no_import_circle():
    circles, done, path = [], set(), []

    def visit(name: str) -> None:
        if name in path:
            circles.append(path[path.index(name) :] + [name])
            return
        if name in done:
            return
        path.append(name)
        for child in sorted(GRAPH[name]):
            visit(child)
        path.pop()
        done.add(name)

    for name in sorted(GRAPH):
        visit(name)
    assert circles == []


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_rules_are_pure(service):
    reached = {i for i in imports(MODULES[f"services.{service}.rules"])}
    impure = sorted(i for i in reached if i.startswith(IMPURE) or (".store" in i or i.endswith("store")))
    assert impure == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_stores_operators_appear_in_its_store_modules_only(service):
    outside = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "services" / service).glob("*.py"))
        if not path.stem.endswith("store")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OPERATOR.search(line)
    ]
    assert outside == []


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_imports_another(service):
    others = tuple(f"services.{other}" for other in SERVICES if other != service)
    reached = {
        i for name, path in MODULES.items() if name.startswith(f"services.{service}") for i in imports(path)
    }
    assert sorted(i for i in reached if i.startswith(others)) == []


def test_no_module_of_the_services_or_the_pages_holds_two_ideas():
    long = {
        name: length
        for name, path in MODULES.items()
        if name.startswith(("services.", "gateway.web"))
        and (length := len(path.read_text().splitlines())) > LONGEST
    }
    assert long == {}
