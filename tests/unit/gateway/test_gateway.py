import pytest

from common import config
from gateway.app import create_app
from tests.support import free_port


@pytest.fixture
def gateway(monkeypatch):
    for service in ("intake", "tracking", "notification", "feedback"):
        monkeypatch.setenv(f"{service.upper()}_URL", f"http://127.0.0.1:{free_port()}")
    config.reload()
    return create_app().test_client()


def test_a_service_that_is_down_gives_503_in_the_contract_shape(gateway):
    answer = gateway.post("/api/v1/complaints", json={"kind": "complaint"})
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "service_unavailable"
    assert "intake" in answer.json["error"]["message"]
    assert "Traceback" not in answer.get_data(as_text=True)


def test_health_is_degraded_and_names_each_service(gateway):
    answer = gateway.get("/health")
    assert answer.status_code == 503
    assert answer.json["status"] == "degraded"
    assert set(answer.json["services"]) == {"intake", "tracking", "notification", "feedback"}
    assert all(s["status"] == "unreachable" for s in answer.json["services"].values())


def test_unknown_paths_are_404_in_the_shape(gateway):
    answer = gateway.get("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


def test_the_gateway_answers_its_own_liveness_and_metrics(gateway):
    assert gateway.get("/health/live").status_code == 200
    assert b"http_requests_total" in gateway.get("/metrics").data


@pytest.mark.parametrize(
    ("method", "path", "service"),
    [
        ("GET", "/api/v1/stats", "feedback"),
        ("GET", "/api/v1/staff/exports/stats.csv", "feedback"),
        ("GET", "/api/v1/staff/exports/complaints.csv", "tracking"),
        ("POST", "/api/v1/complaints/RC-2026-ABC/feedback", "tracking"),
        ("POST", "/api/v1/complaints", "intake"),
        ("GET", "/api/v1/staff/catalog", "intake"),
    ],
)
def test_each_path_goes_to_the_service_that_owns_it(gateway, method, path, service):
    answer = gateway.open(path, method=method)
    assert answer.status_code == 503
    assert service in answer.json["error"]["message"]


def test_the_api_is_documented_as_a_page_and_as_openapi(gateway):
    import yaml

    document = gateway.get("/api/openapi.yaml")
    assert document.status_code == 200 and document.content_type.startswith("application/yaml")
    operations = [
        (method.upper(), path)
        for path, item in yaml.safe_load(document.data)["paths"].items()
        for method in item
        if method in ("get", "post", "patch")
    ]
    page = gateway.get("/api/docs")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    for method, path in operations:
        assert f'<span class="method {method}">{method}</span> <span class="path">{path}</span>' in html
    assert "<script" not in html and "http://" not in html.split("<body>")[0]
