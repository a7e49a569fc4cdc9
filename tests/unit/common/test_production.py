"""In production the services refuse to start with a default or short SECRET_KEY."""

import pytest

from common import config, settings
from common.web import create_service_app


@pytest.mark.parametrize("key", [None, *settings.KNOWN_KEYS, "short-key"])
def test_production_refuses_a_default_or_short_key(monkeypatch, key):
    monkeypatch.setenv("ENVIRONMENT", "production")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(SystemExit, match="ENVIRONMENT=production needs SECRET_KEY") as refused:
        config.reload()
    assert key is None or key not in str(refused.value)  # the key itself is never printed


def test_production_starts_with_a_real_key_and_development_with_any(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "9f" * 32)
    config.reload()
    assert create_service_app("probe") is not None
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config.reload()
    assert create_service_app("probe") is not None
