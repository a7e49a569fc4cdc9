"""What every test shares: settings read afresh around each test."""

import pytest

from common import config


@pytest.fixture(autouse=True)
def fresh_settings():
    """Read the settings before and after each test: one that changes the environment calls reload()."""
    config.reload()
    yield
    config.reload()
