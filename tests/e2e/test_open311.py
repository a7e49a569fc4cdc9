"""Open311 GeoReport v2 through the gateway, as another system's client reads it."""

from __future__ import annotations

from xml.etree import ElementTree

from tests.contract import open311_validator


def test_a_client_lists_services_and_reads_a_definition_in_json_and_xml(platform):
    base = f"{platform.url}/open311/v2"
    discovery = platform.http.get(f"{base}/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    services = platform.http.get(f"{base}/services.json", timeout=10).json()
    assert list(open311_validator("services.json").iter_errors(services)) == []
    codes = [s["service_code"] for s in services]
    xml = platform.http.get(f"{base}/services.xml", timeout=10)
    assert xml.headers["Content-Type"].startswith("text/xml")
    assert [s.findtext("service_code") for s in ElementTree.fromstring(xml.content)] == codes
    definition = platform.http.get(f"{base}/services/{codes[0]}.json", timeout=10).json()
    assert list(open311_validator("service-definition.json").iter_errors(definition)) == []
    missing = platform.http.get(f"{base}/services/nothing.xml", timeout=10)
    assert missing.status_code == 404
    assert ElementTree.fromstring(missing.content).find("error").findtext("code") == "404"


def test_a_client_follows_a_request_filed_on_the_platform(platform):
    from tests.support import wait_for

    number = platform.submit(citizen={"name": "Omar Privé", "email": "omar.prive@example.ma"}).json()[
        "number"
    ]
    base = f"{platform.url}/open311/v2"
    answer = wait_for(
        lambda: (
            (r := platform.http.get(f"{base}/requests/{number}.json", timeout=10)).status_code == 200 and r
        ),
        10,
        0.1,
        "the request to be trackable",
    )
    found = answer.json()
    assert list(open311_validator("requests.json").iter_errors(found)) == []
    assert found[0]["service_request_id"] == number and found[0]["status"] == "open"
    listed = platform.http.get(f"{base}/requests.xml", params={"service_request_id": number}, timeout=10)
    assert [r.findtext("service_request_id") for r in ElementTree.fromstring(listed.content)] == [number]
    assert "Omar" not in answer.text + listed.text and "omar.prive" not in answer.text + listed.text
