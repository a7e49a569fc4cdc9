"""deploy/kubernetes, rendered by kustomize and checked against the Kubernetes API's own schemas."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from launcher import infra

ROOT = Path(__file__).resolve().parents[2]
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
