"""What every test shares: settings read afresh around each test, and a marker for each kind of test."""

from pathlib import Path

import pytest

from common import config

TESTS = Path(__file__).parent
KINDS = ("unit", "integration", "e2e")  # the folders under tests/, and the markers pyproject.toml declares


def pytest_collection_modifyitems(items):
    """Mark each test with its folder's kind, so that `pytest -m "not e2e"` picks by kind."""
    for item in items:
        kind = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else None
        if kind in KINDS:
            item.add_marker(kind)


@pytest.fixture(autouse=True)
def fresh_settings():
    """Read the settings before and after each test: one that changes the environment calls reload()."""
    config.reload()
    yield
    config.reload()
