"""deploy/kubernetes, rendered by kustomize and checked against the Kubernetes API's own schemas."""

from __future__ import annotations

import copy
import json
import re
import secrets
import subprocess
import threading
from pathlib import Path

import kubernetes_validate
import pytest
import requests
import yaml
from werkzeug.serving import make_server

from common import bodies
from gateway import ingress, routing
from launcher import infra
from tests.support import free_port, wait_for, write_generated

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "deploy" / "kubernetes" / "base"
OVERLAY = ROOT / "deploy" / "kubernetes" / "overlays" / "production"
SERVICES = ("intake", "tracking", "notification", "feedback")
WEB = ("gateway", *SERVICES)
WORKERS = tuple(f"{s}-worker" for s in SERVICES)
# The oldest Kubernetes the manifests are written for, and the newest the schemas know.
VERSIONS = ("1.29.0", "1.37.0")


@pytest.fixture(scope="module")
def rendered() -> list[dict]:
    kustomize = infra.ensure_kustomize(print)
    out = subprocess.run([str(kustomize), "build", str(OVERLAY)], capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def find(rendered, kind: str, name: str) -> dict:
    found = [d for d in rendered if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_resource_is_valid_for_the_kubernetes_api_strictly(rendered, version):
    for resource in rendered:
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_validator_rejects_a_misspelt_field(rendered):
    broken = copy.deepcopy(find(rendered, "Deployment", "intake"))
    broken["spec"]["replica"] = broken["spec"].pop("replicas")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[0], strict=True)


def test_every_process_runs_twice_or_more_in_one_namespace_with_requests_and_limits(rendered):
    assert {d["metadata"].get("namespace") for d in rendered if d["kind"] != "Namespace"} == {"complaints"}
    scaled = {
        d["spec"]["scaleTargetRef"]["name"]: d["spec"]["minReplicas"]
        for d in rendered
        if d["kind"] == "HorizontalPodAutoscaler"
    }
    assert scaled, "no HorizontalPodAutoscaler"
    for name in WEB + WORKERS:
        deployment = find(rendered, "Deployment", name)
        if name in scaled:  # a fixed count would be set back at every apply, against the autoscaler
            assert "replicas" not in deployment["spec"] and scaled[name] >= 2
        else:
            assert deployment["spec"]["replicas"] >= 2
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0  # no downtime
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == "registry.example.org/complaints-platform:0.1.0"
        assert (
            set(container["resources"]["requests"])
            == set(container["resources"]["limits"])
            == {
                "cpu",
                "memory",
            }
        )
        assert [r["configMapRef"]["name"] for r in container["envFrom"] if "configMapRef" in r] == [
            "complaints-config"
        ]
        assert [r["secretRef"]["name"] for r in container["envFrom"] if "secretRef" in r] == [
            "complaints-secrets"
        ]
        assert find(rendered, "PodDisruptionBudget", name)["spec"]["minAvailable"] == 1


def test_every_process_runs_unprivileged_on_a_read_only_root_filesystem(rendered):
    for name in WEB + WORKERS:
        pod = find(rendered, "Deployment", name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["containers"]
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        (tmp,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        assert volumes[tmp["name"]] == {"name": tmp["name"], "emptyDir": {}}  # where the processes write


def test_the_commands_are_those_of_make_run_and_docker_compose(rendered):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in WEB + WORKERS:
        (container,) = find(rendered, "Deployment", name)["spec"]["template"]["spec"]["containers"]
        assert container["command"] == compose[name]["command"], name
        env = {e["name"]: e["value"] for e in container.get("env", [])}
        assert env["SERVICE_NAME"] == compose[name]["environment"]["SERVICE_NAME"]


def test_web_processes_have_probes_on_the_health_endpoints_and_a_service(rendered):
    for name in WEB:
        deployment = find(rendered, "Deployment", name)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert {"name": "http", "containerPort": 8000} in container["ports"]
        assert container["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]  # drained, then stopped
        service = find(rendered, "Service", name)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items()
        assert service["spec"]["ports"][0]["port"] == 8000
    config = find(rendered, "ConfigMap", "complaints-config")["data"]
    for service in SERVICES:
        assert config[f"{service.upper()}_URL"] == f"http://{service}:8000"
    ingress = find(rendered, "Ingress", "gateway")
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "gateway"


def test_workers_answer_probes_on_the_port_their_worker_port_names(rendered):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in WORKERS:
        (container,) = find(rendered, "Deployment", name)["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env["WORKER_PORT"] == compose[name]["environment"]["WORKER_PORT"] == "8000", name
        assert {"name": "probes", "containerPort": int(env["WORKER_PORT"])} in container["ports"]
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "probes"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "probes"}
        # Its consumer is stalled after 60 s without a round (common/worker.py): probes allow for that.
        probe = container["livenessProbe"]
        assert probe["periodSeconds"] * probe["failureThreshold"] >= 60


def test_the_gateway_and_the_busiest_workers_scale_with_their_load(rendered):
    scaled = {
        d["spec"]["scaleTargetRef"]["name"]: d for d in rendered if d["kind"] == "HorizontalPodAutoscaler"
    }
    assert set(scaled) == {"gateway", "tracking-worker", "notification-worker"}
    for name, autoscaler in scaled.items():
        assert find(rendered, "Deployment", name)  # it scales something that exists
        assert 2 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]


def test_keys_and_passwords_are_secrets_and_every_one_referenced_exists(rendered):
    secrets = {d["metadata"]["name"]: d["stringData"] for d in rendered if d["kind"] == "Secret"}
    app = secrets["complaints-secrets"]
    for key in ("SECRET_KEY", "ADMIN_PASSWORD", "MONGO_URL", "AMQP_URL", "SMTP_PASSWORD"):
        assert key in app
        assert key not in find(rendered, "ConfigMap", "complaints-config")["data"]
    assert len(app["SECRET_KEY"]) < 32  # a placeholder the services refuse in production
    for resource in rendered:
        text = yaml.safe_dump(resource)
        for reference in _secret_references(resource):
            assert reference[0] in secrets, f"{resource['kind']}/{resource['metadata']['name']}: {reference}"
            if reference[1]:
                assert reference[1] in secrets[reference[0]], text[:200]


def _secret_references(node, found=None) -> list[tuple[str, str | None]]:
    found = [] if found is None else found
    if isinstance(node, dict):
        if "secretKeyRef" in node:
            found.append((node["secretKeyRef"]["name"], node["secretKeyRef"]["key"]))
        if "secretRef" in node:
            found.append((node["secretRef"]["name"], None))
        if "secretName" in node and "items" in node:
            found.extend((node["secretName"], item["key"]) for item in node["items"])
        for value in node.values():
            _secret_references(value, found)
    elif isinstance(node, list):
        for value in node:
            _secret_references(value, found)
    return found


def test_the_store_is_a_replica_set_and_the_broker_a_cluster_of_three(rendered):
    for name in ("mongo", "rabbitmq"):
        stateful = find(rendered, "StatefulSet", name)
        assert stateful["spec"]["replicas"] == 3
        assert find(rendered, "Service", name)["spec"]["clusterIP"] == "None"
        assert find(rendered, "PodDisruptionBudget", name)["spec"]["maxUnavailable"] == 1
    (mongo,) = find(rendered, "StatefulSet", "mongo")["spec"]["template"]["spec"]["containers"]
    assert mongo["args"][:2] == ["--replSet", "rs0"]
    script = find(rendered, "Job", "mongo-init")["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert all(f"host: 'mongo-{n}.mongo:27017'" in script for n in range(3))
    urls = find(rendered, "Secret", "complaints-secrets")["stringData"]
    assert "replicaSet=rs0" in urls["MONGO_URL"]
    assert [u.split("@")[1].split(":")[0] for u in urls["AMQP_URL"].split(",")] == [
        f"rabbitmq-{n}.rabbitmq" for n in range(3)
    ]
    conf = find(rendered, "ConfigMap", "rabbitmq-config")["data"]["rabbitmq.conf"]
    assert "cluster_formation.peer_discovery_backend = k8s" in conf
    assert ".rabbitmq.complaints.svc.cluster.local" in conf  # the overlay's namespace


def _locations(rendered) -> list[tuple[str, str, dict]]:
    """Return every Ingress path of the host in the order ingress-nginx writes its locations.

    With use-regex, each is `location ~* "^<path>"`, longest first (then in reverse order of the
    text): nginx takes the first that matches, case-insensitively.
    """
    found = [
        (path["path"], path["backend"]["service"]["name"], resource)
        for resource in rendered
        if resource["kind"] == "Ingress"
        for rule in resource["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    found.sort(key=lambda location: location[0], reverse=True)
    found.sort(key=lambda location: len(location[0]), reverse=True)
    return found


def _route(locations, uri: str) -> tuple[str, dict]:
    """Return the Service and the Ingress ingress-nginx sends a path to."""
    path, service, resource = next(loc for loc in locations if re.match("^" + loc[0], uri, re.I))
    return service, resource["metadata"]["annotations"]


def _sample(path: str) -> str:
    return re.sub(r"<[^>]+>", "x1", path)


def test_every_path_of_the_routing_table_reaches_its_owner_with_its_limit_and_retries(rendered):
    locations = _locations(rendered)
    annotation = ingress.ANNOTATION
    for route in routing.routes():
        service, annotations = _route(locations, _sample(route.path))
        expected = route.services[0] if len(route.services) == 1 else ingress.ROUTER
        assert service == expected, route.path
        assert annotations[annotation + "proxy-body-size"] == str(route.body_limit()), route.path
        retries = annotations[annotation + "proxy-next-upstream"].split()
        assert ("non_idempotent" in retries) == route.repeatable_post, route.path
        assert {"error", "timeout"} <= set(retries), route.path
    # The pages' uploads go to the gateway app with their own limits; everything else with a JSON body's.
    for path, limit in routing.PAGE_UPLOADS.items():
        service, annotations = _route(locations, _sample(path))
        assert (service, annotations[annotation + "proxy-body-size"]) == (
            "gateway",
            str(routing.capped(limit())),
        )
    json_limit = str(routing.capped(bodies.json_bytes()))
    for uri in ("/track", "/static/app.css", "/health", "/api/docs", "/api/v1/nothing", "/open311/v2/x.json"):
        service, annotations = _route(locations, uri)
        assert (service, annotations[annotation + "proxy-body-size"]) == ("gateway", json_limit), uri
    # A fixed word beats a variable segment, as in the services' own routing.
    assert _route(locations, "/api/v1/complaints/nearby")[0] == "tracking"
    assert _route(locations, "/api/v1/complaints/x1/documents/x2/more")[0] == "gateway"


def test_every_ingress_is_ingress_nginxs_on_the_public_host_with_tls(rendered):
    host = ingress.host()
    assert find(rendered, "ConfigMap", "complaints-config")["data"]["PUBLIC_URL"] == f"https://{host}"
    services = {d["metadata"]["name"]: d for d in rendered if d["kind"] == "Service"}
    paths = []
    for resource in (d for d in rendered if d["kind"] == "Ingress"):
        spec = resource["spec"]
        assert spec["ingressClassName"] == "nginx"
        assert spec["tls"] == [{"hosts": [host], "secretName": "complaints-tls"}]
        assert resource["metadata"]["annotations"][ingress.ANNOTATION + "use-regex"] == "true"
        for rule in spec["rules"]:
            assert rule["host"] == host
            for path in rule["http"]["paths"]:
                paths.append(path["path"])
                assert path["pathType"] == "ImplementationSpecific"
                # Anchored at both ends (ingress-nginx adds the `^`), but for the catch-all.
                assert path["path"] == "/" or path["path"].endswith("$"), path["path"]
                backend = path["backend"]["service"]
                assert backend["port"] == {"name": "http"}
                assert "http" in [port["name"] for port in services[backend["name"]]["spec"]["ports"]]
    assert len(paths) == len(set(paths)), "a path routed twice: ingress-nginx would keep the older"


def test_the_committed_ingress_and_method_router_are_what_the_routing_table_gives(tmp_path):
    # Written again as `python -m gateway.ingress` does, with the settings the pods have
    # (complaints-config, and a key as the secret gives one).
    environment = yaml.safe_load((BASE / "config.yaml").read_text())["data"]
    environment["SECRET_KEY"] = secrets.token_hex(32)
    write_generated("gateway.ingress", tmp_path, environment)
    for name in ("ingress.yaml", "method-router.conf"):
        assert (tmp_path / name).read_text() == (BASE / name).read_text(), (
            f"{name}: run `python -m gateway.ingress`"
        )


def test_the_method_router_runs_unprivileged_with_the_committed_configuration(rendered):
    deployment = find(rendered, "Deployment", ingress.ROUTER)
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] >= 2
    assert find(rendered, "PodDisruptionBudget", ingress.ROUTER)["spec"]["minAvailable"] == 1
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert container["image"] == compose["nginx"]["image"]  # one nginx to keep up to date
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True and context["capabilities"] == {"drop": ["ALL"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mounts["/tmp"]]["emptyDir"] == {}  # its pid and temporary files
    conf = container["command"][container["command"].index("-c") + 1]
    config_map = volumes[mounts[str(Path(conf).parent)]]["configMap"]["name"]
    assert config_map.startswith(f"{ingress.ROUTER}-")  # named after its content: a change rolls the pods
    (data,) = [
        d["data"] for d in rendered if d["kind"] == "ConfigMap" and d["metadata"]["name"] == config_map
    ]
    assert data == {Path(conf).name: (BASE / "method-router.conf").read_text()}
    assert {"name": "http", "containerPort": ingress.ROUTER_PORT} in container["ports"]
    for service in ("intake", "tracking", ingress.ROUTER):
        assert find(rendered, "Service", service)["spec"]["ports"][0]["port"] == ingress.SERVICE_PORT


class StandIn:
    """A service instance that answers every request with what it received."""

    def __init__(self, name: str):
        self.name = name
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        seen = {
            "service": self.name,
            "method": environ["REQUEST_METHOD"],
            "host": environ.get("HTTP_HOST"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "request_id": environ.get("HTTP_X_REQUEST_ID"),
            "body": body.decode(),
        }
        start_response("200 OK", [("Content-Type", "application/json"), ("X-Service", self.name)])
        return [json.dumps(seen).encode()]


@pytest.fixture
def method_router(tmp_path):
    """Run the committed method-router.conf in front of stand-ins for intake and tracking."""
    if not infra.NGINX.exists():
        pytest.skip("nginx is not installed")
    stand_ins = {name: StandIn(name) for name in ("intake", "tracking")}
    port = free_port()
    conf = (BASE / "method-router.conf").read_text()
    for name, stand_in in stand_ins.items():
        conf = conf.replace(
            f"server {name}:{ingress.SERVICE_PORT};", f"server 127.0.0.1:{stand_in.server.port};"
        )
    conf = conf.replace(f"listen {ingress.ROUTER_PORT};", f"listen 127.0.0.1:{port};")
    conf = conf.replace("/tmp/", f"{tmp_path}/")
    (tmp_path / "nginx.conf").write_text(conf)
    process = subprocess.Popen(
        [str(infra.NGINX), "-e", "stderr", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def listening():
        assert process.poll() is None, process.stderr.read().decode()
        try:
            return requests.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 404
        except requests.ConnectionError:
            return False

    try:
        wait_for(listening, 10, 0.05, "the method router to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
        for stand_in in stand_ins.values():
            stand_in.server.shutdown()


def test_the_method_router_sends_each_method_to_its_owner_with_the_controllers_headers(method_router):
    headers = {
        "Host": "complaints.example.org",
        "X-Forwarded-For": "203.0.113.7",  # as ingress-nginx sets it: the client's address
        "X-Request-ID": "4f1c9e",
    }
    for route in (r for r in routing.routes() if len(r.services) > 1):
        for method in ("GET", "HEAD", "POST"):
            answer = requests.request(
                method, method_router + route.path, headers=headers, data="a=1", timeout=5
            )
            assert answer.status_code == 200, (method, route.path)
            owner = route.owners["GET" if method == "HEAD" else method]
            assert answer.headers["X-Service"] == owner, (method, route.path)
            if method != "HEAD":
                seen = answer.json()
                assert seen["method"] == method and seen["body"] == "a=1"
                # Nothing added on the way: the services find the client where they would without it.
                assert (seen["host"], seen["forwarded_for"], seen["request_id"]) == (
                    "complaints.example.org",
                    "203.0.113.7",
                    "4f1c9e",
                )
    assert requests.get(method_router + "/api/v1/catalog", timeout=5).status_code == 404
