"""In production the services refuse to start with a default or short SECRET_KEY."""

import pytest

from common import config
from common.web import create_service_app


@pytest.mark.parametrize("key", [None, "change-me-in-production", config.DEVELOPMENT_SECRET_KEY, "short-key"])
def test_production_refuses_a_default_or_short_key(monkeypatch, key):
    monkeypatch.setenv("ENVIRONMENT", "production")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        create_service_app("probe")


def test_production_starts_with_a_real_key_and_development_with_any(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "9f" * 32)
    assert create_service_app("probe") is not None
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert create_service_app("probe") is not None
