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


def test_health_is_degraded_and_names_each_service(gateway):
    answer = gateway.get("/health")
    assert answer.status_code == 503
    assert answer.json["status"] == "degraded"
    assert set(answer.json["services"]) == {"intake", "tracking", "notification", "feedback"}
    assert all(s["status"] == "unreachable" for s in answer.json["services"].values())


def test_the_gateway_answers_its_own_liveness_and_metrics(gateway):
    assert gateway.get("/health/live").status_code == 200
    assert b"http_requests_total" in gateway.get("/metrics").data


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
