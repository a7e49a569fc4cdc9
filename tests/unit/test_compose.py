"""docker-compose.yml runs the same platform on MongoDB and RabbitMQ images, behind nginx."""

import filecmp
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gateway import nginx
from tests.support import write_generated

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "tracking", "notification", "feedback")
NGINX = Path("/usr/sbin/nginx")  # Debian's package, the version the image is pinned to


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_every_service_worker_and_the_gateway_are_deployed_twice(compose):
    infrastructure = {f"{name}{n}" for name in ("mongo", "rabbitmq") for n in (1, 2, 3)} | {
        "mongo-init",
        "smtp",
    }
    app = {"gateway"} | set(SERVICES) | {f"{s}-worker" for s in SERVICES}
    assert set(compose) == infrastructure | app | {"nginx"}
    for service in SERVICES:
        assert f"services.{service}.app:create_app()" in compose[service]["command"]
        assert compose[f"{service}-worker"]["command"] == ["python", "-m", f"services.{service}.worker"]
    for name in app:
        assert compose[name]["deploy"]["replicas"] >= 2, name
    assert compose["smtp"]["deploy"]["replicas"] == 1
    assert "deploy" not in compose["nginx"]  # one: it holds the public port


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


def test_nginx_alone_takes_the_public_port_with_the_committed_configuration(compose):
    entry = compose["nginx"]
    # The official Debian image, of the version Debian's package here checks the configuration with.
    assert re.fullmatch(r"nginx:1\.22\.\d+", entry["image"]), entry["image"]
    assert [name for name, spec in compose.items() if "ports" in spec] == ["nginx"]
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    (listen,) = re.findall(r"^\s*listen (\d+)\b", conf, re.M)
    assert entry["ports"] == [f"${{GATEWAY_PORT:-8080}}:{listen}"]
    # The folder is mounted where the configuration says its files are, and nginx runs that file.
    (home,) = set(re.findall(r"^\s*root (\S+)/errors;", conf, re.M))
    assert entry["volumes"] == [f"./deploy/nginx:{home}:ro"]
    assert entry["command"] == ["nginx", "-c", f"{home}/nginx.conf"]
    assert "daemon off;" in conf
    assert entry["stop_signal"] == "SIGQUIT"  # nginx's graceful stop
    assert f"http://127.0.0.1:{listen}/health/live" in entry["healthcheck"]["test"]


def test_nginx_reaches_each_upstream_by_its_service_name_and_container_port(compose):
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    upstreams = dict(re.findall(r"upstream (\S+) \{\s*server (\S+) ", conf))
    assert set(upstreams) == set(nginx.UPSTREAMS)
    for name, address in upstreams.items():
        host, port = address.split(":")
        # The name compose gives the service's replicas, and the port its image listens on.
        assert host == name and compose[host]["image"] == compose["gateway"]["image"], address
        assert port == compose[host]["environment"]["PORT"], address
        assert f"http://127.0.0.1:{port}/" in compose[host]["healthcheck"]["test"][-1], address
        # nginx learns the replicas' addresses as it starts: it starts after them.
        assert compose["nginx"]["depends_on"][host] == {"condition": "service_healthy"}


def test_the_committed_nginx_configuration_is_what_the_routing_table_gives(compose, tmp_path):
    # Written again as `python -m gateway.nginx deploy/nginx` does, with the settings the gateway's
    # containers have (compose's defaults, and an operator's key): every file the same, no more.
    environment = {name: _default(value) for name, value in compose["gateway"]["environment"].items()}
    environment["SECRET_KEY"] = secrets.token_hex(32)
    write_generated("gateway.nginx", tmp_path, environment)
    committed = ROOT / "deploy" / "nginx"
    assert _files(tmp_path) == _files(committed), "run `python -m gateway.nginx deploy/nginx`"
    _, different, _ = filecmp.cmpfiles(committed, tmp_path, sorted(_files(committed)), shallow=False)
    assert different == [], "run `python -m gateway.nginx deploy/nginx`"


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed")
def test_nginx_accepts_the_committed_configuration(tmp_path):
    # As in the container, with what only the containers give translated: the services' names
    # (nginx resolves them as it reads the file), the mounted folder, the container's /tmp.
    copy = tmp_path / "complaints"
    shutil.copytree(ROOT / "deploy" / "nginx", copy)
    conf = (copy / "nginx.conf").read_text()
    conf = re.sub(r"(server )[a-z][a-z0-9-]*:", r"\g<1>127.0.0.1:", conf)
    conf = conf.replace("/etc/nginx/complaints/", f"{copy}/").replace("/tmp/", f"{tmp_path}/")
    (copy / "nginx.conf").write_text(conf)
    checked = subprocess.run(
        [str(NGINX), "-t", "-q", "-e", "stderr", "-p", str(copy), "-c", str(copy / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def _default(value) -> str:
    """Return a compose value as compose reads it with no .env: each ${NAME:-default} its default."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", str(value))


def _files(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


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
