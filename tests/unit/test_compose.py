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


def test_every_service_worker_and_the_gateway_are_deployed_twice(compose):
    infrastructure = {f"{name}{n}" for name in ("mongo", "rabbitmq") for n in (1, 2, 3)} | {
        "mongo-init",
        "smtp",
    }
    app = {"gateway"} | set(SERVICES) | {f"{s}-worker" for s in SERVICES}
    assert set(compose) == infrastructure | app
    for service in SERVICES:
        assert f"services.{service}.app:create_app()" in compose[service]["command"]
        assert compose[f"{service}-worker"]["command"] == ["python", "-m", f"services.{service}.worker"]
    for name in app:
        assert compose[name]["deploy"]["replicas"] >= 2, name
    assert compose["smtp"]["deploy"]["replicas"] == 1


def test_the_store_is_a_replica_set_of_three_and_the_services_use_all_of_them(compose):
    members = [f"mongo{n}" for n in (1, 2, 3)]
    for name in members:
        assert compose[name]["image"].startswith("mongo:")
        assert compose[name]["command"][:3] == ["mongod", "--replSet", "rs0"]
        assert compose[name]["healthcheck"]["test"]
    initiate = compose["mongo-init"]["command"][-1]
    assert all(f"host: '{name}:27017'" in initiate for name in members) and "_id: 'rs0'" in initiate
    url = compose["gateway"]["environment"]["MONGO_URL"]
    assert url == "mongodb://mongo1:27017,mongo2:27017,mongo3:27017/?replicaSet=rs0"
    assert compose["intake"]["depends_on"]["mongo-init"] == {"condition": "service_completed_successfully"}


def test_the_broker_is_a_cluster_of_three_named_in_every_services_url(compose):
    nodes = [f"rabbitmq{n}" for n in (1, 2, 3)]
    cluster = (ROOT / "deploy" / "rabbitmq" / "cluster.conf").read_text()
    for n, name in enumerate(nodes, 1):
        assert compose[name]["image"].startswith("rabbitmq:4.")
        assert compose[name]["hostname"] == name
        assert compose[name]["healthcheck"]["test"]
        assert (
            "./deploy/rabbitmq/cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro"
            in compose[name]["volumes"]
        )
        assert f"cluster_formation.classic_config.nodes.{n} = rabbit@{name}" in cluster
    urls = compose["tracking-worker"]["environment"]["AMQP_URL"].split(",")
    assert [url.split("@")[1].split(":")[0] for url in urls] == nodes


def test_the_gateway_replicas_each_take_a_host_port(compose):
    assert compose["gateway"]["ports"] == ["${GATEWAY_PORT:-8080}-${GATEWAY_PORT_LAST:-8081}:8000"]
    assert compose["gateway"]["healthcheck"]["test"]


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_every_app_process_has_a_health_check_on_its_own_endpoint(compose):
    for service in SERVICES:
        web, worker = compose[service], compose[f"{service}-worker"]
        assert "/health/ready" in web["healthcheck"]["test"][-1]
        # The worker answers its probes on WORKER_PORT (common/worker.py), the port its check asks.
        port = worker["environment"]["WORKER_PORT"]
        assert f"http://127.0.0.1:{port}/health/live" in worker["healthcheck"]["test"][-1], service
    assert "/health" in compose["gateway"]["healthcheck"]["test"][-1]
    assert "8025" in compose["smtp"]["healthcheck"]["test"][-1]
