"""docker-compose.yml runs the same platform on MongoDB and RabbitMQ images."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "tracking", "notification", "feedback")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_every_service_worker_and_the_gateway_are_deployed(compose):
    expected = {"mongo", "rabbitmq", "smtp", "gateway"} | set(SERVICES) | {f"{s}-worker" for s in SERVICES}
    assert set(compose) == expected
    for service in SERVICES:
        assert f"services.{service}.app:create_app()" in compose[service]["command"]
        assert compose[f"{service}-worker"]["command"] == ["python", "-m", f"services.{service}.worker"]


def test_the_store_and_broker_are_images_with_health_checks(compose):
    assert compose["mongo"]["image"].startswith("mongo:")
    assert compose["rabbitmq"]["image"].startswith("rabbitmq:3.10")
    for name in ("mongo", "rabbitmq", "gateway", *SERVICES):
        assert compose[name]["healthcheck"]["test"]
    assert compose["gateway"]["ports"] == ["${GATEWAY_PORT:-8080}:8000"]


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
