"""Open311 GeoReport v2 against the real store, checked with the specification's published schemas."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from services.intake.app import create_app
from tests.contract import open311_validator

BASE = "/open311/v2"


@pytest.fixture
def client(db):
    return create_app({"TESTING": True}).test_client()


def test_services_list_the_catalogue_in_json_and_xml(client):
    answer = client.get(f"{BASE}/services.json")
    assert answer.status_code == 200 and answer.content_type.startswith("application/json")
    services = answer.json
    assert list(open311_validator("services.json").iter_errors(services)) == []
    roads = next(s for s in services if s["service_code"] == "roads")
    assert roads["metadata"] is True and roads["type"] == "realtime" and roads["group"]
    assert len(services) == 10
    xml = client.get(f"{BASE}/services.xml")
    assert xml.status_code == 200 and xml.content_type.startswith("text/xml")
    root = ElementTree.fromstring(xml.data)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        s["service_code"] for s in services
    ]
    assert root.find("service").findtext("metadata") == "true"
    arabic = client.get(f"{BASE}/services.json?locale=ar").json
    assert next(s for s in arabic if s["service_code"] == "roads")["service_name"] != roads["service_name"]


def test_a_service_definition_lists_the_districts(client):
    answer = client.get(f"{BASE}/services/roads.json")
    assert answer.status_code == 200
    definition = answer.json
    assert list(open311_validator("service-definition.json").iter_errors(definition)) == []
    district = definition["attributes"][0]
    assert district["code"] == "district" and district["required"] is True
    assert district["datatype"] == "singlevaluelist"
    assert len(district["values"]) == 16 and {"key": "anfa", "name": "Anfa"} in district["values"]
    root = ElementTree.fromstring(client.get(f"{BASE}/services/roads.xml").data)
    assert root.tag == "service_definition"
    keys = [v.findtext("key") for v in root.find("attributes").find("attribute").find("values")]
    assert len(keys) == 16 and "anfa" in keys


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_are_in_the_specification_shape(client, fmt):
    answer = client.get(f"{BASE}/services/nothing.{fmt}")
    assert answer.status_code == 404
    if fmt == "json":
        assert answer.json[0]["code"] == 404 and "nothing" in answer.json[0]["description"]
    else:
        error = ElementTree.fromstring(answer.data).find("error")
        assert error.findtext("code") == "404" and "nothing" in error.findtext("description")
    unknown = client.get(f"{BASE}/services.{fmt}?jurisdiction_id=elsewhere")
    assert unknown.status_code == 404
    assert client.get(f"{BASE}/services.{fmt}?jurisdiction_id=casablanca").status_code == 200
    assert client.get(f"{BASE}/services.{fmt}?jurisdiction_id=anfa").status_code == 200
    assert client.get(f"{BASE}/services.{fmt}?jurisdiction_id=").status_code == 200


def test_discovery_names_the_endpoint_and_its_formats(client):
    answer = client.get(f"{BASE}/discovery.json").json
    endpoint = answer["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and "text/xml" in endpoint["formats"]
    root = ElementTree.fromstring(client.get(f"{BASE}/discovery.xml").data)
    formats = [f.text for f in root.find("endpoints").find("endpoint").find("formats")]
    assert formats == ["application/json", "text/xml"]
