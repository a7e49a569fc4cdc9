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
    assert district["code"] == "district" and district["required"] is False  # else placed by its point
    assert district["datatype"] == "singlevaluelist"
    assert len(district["values"]) == 16 and {"key": "anfa", "name": "Anfa"} in district["values"]
    publish = next(a for a in definition["attributes"] if a["code"] == "publish")  # law 09-08's consent
    assert publish["required"] is False and publish["datatype"] == "singlevaluelist"
    assert [v["key"] for v in publish["values"]] == ["false", "true"] and "email" in publish["description"]
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


def _file(db, category="roads", district="anfa", days_ago=0.0, publish=False):
    from services.tracking import handlers as tracking_handlers
    from tests.integration.complaints import submission

    data = submission(
        days_ago=days_ago,
        category=category,
        district=district,
        category_name={"fr": "Voirie", "ar": "الطرق", "en": "Roads"},
        subject="Trou",
        description="Un trou devant l'école.",
        address="12 rue X",
        location={"lat": 33.59, "lon": -7.63},
        citizen={"name": "Nadia Secret", "email": "nadia.secret@example.ma", "phone": "+212611111111"},
        publish=publish,
    )
    tracking_handlers.record_submitted(db, data)
    return data["number"]


@pytest.fixture
def requests_client(db):
    from services.tracking import store as tracking_store
    from services.tracking.app import create_app as tracking_app

    tracking_store.ensure_indexes(db)
    db[tracking_store.COMPLAINTS].delete_many({})
    yield tracking_app({"TESTING": True}).test_client()
    db[tracking_store.COMPLAINTS].delete_many({})  # old complaints would be overdue for other tests


def test_requests_are_found_filtered_and_shaped_by_the_specification(db, requests_client):
    from services.tracking import treatment

    admin = {"sub": "admin", "role": "admin", "districts": ["*"]}
    resolved = _file(db, publish=True)  # the citizen consented to publishing their words and place
    treatment.transition(db, admin, resolved, {"to": "in_progress", "public_note": "Équipe envoyée."})
    treatment.transition(db, admin, resolved, {"to": "resolved", "public_note": "Trou rebouché."})
    lighting = _file(db, category="public-lighting", district="maarif")
    old = _file(db, days_ago=120)

    everything = requests_client.get(f"{BASE}/requests.json")
    assert everything.status_code == 200
    found = everything.json
    assert list(open311_validator("requests.json").iter_errors(found)) == []
    assert [r["service_request_id"] for r in found] == [lighting, resolved]  # newest first, 90 days
    done = next(r for r in found if r["service_request_id"] == resolved)
    assert done["status"] == "closed" and done["status_notes"] == "Trou rebouché."
    assert done["service_name"] == "Voirie" and done["agency_responsible"] == "roads"
    assert done["lat"] == 33.59 and done["long"] == -7.63
    text = everything.get_data(as_text=True) + requests_client.get(f"{BASE}/requests.xml").get_data(
        as_text=True
    )
    assert "Nadia" not in text and "nadia.secret" not in text and "+212611111111" not in text

    def ids(**params):
        answer = requests_client.get(f"{BASE}/requests.json", query_string=params)
        assert answer.status_code == 200, answer.json
        return [r["service_request_id"] for r in answer.json]

    assert ids(status="open") == [lighting]
    assert ids(status="closed") == [resolved]
    assert ids(service_code="public-lighting") == [lighting]
    assert ids(jurisdiction_id="maarif") == [lighting]
    assert ids(service_request_id=f"{old}, {resolved}", status="open") == [resolved, old]  # ids override
    assert ids(page_size="1", page="2") == [resolved]
    start = "2026-01-01T00:00:00Z"
    assert (
        requests_client.get(
            f"{BASE}/requests.json?start_date={start}&end_date=2026-06-01T00:00:00Z"
        ).status_code
        == 400
    )
    assert requests_client.get(f"{BASE}/requests.json?status=lost").status_code == 400
    assert requests_client.get(f"{BASE}/requests.json?page_size=5000").status_code == 400
    assert requests_client.get(f"{BASE}/requests.json?start_date=yesterday").json[0]["code"] == 400

    one = requests_client.get(f"{BASE}/requests/{resolved.lower()}.json?extensions=true").json
    assert len(one) == 1 and one[0]["service_request_id"] == resolved
    assert [n["status"] for n in one[0]["notes"]] == ["received", "in_progress", "resolved"]
    root = ElementTree.fromstring(requests_client.get(f"{BASE}/requests/{resolved}.xml").data)
    assert root.tag == "service_requests" and root.find("request").findtext("status") == "closed"
    missing = requests_client.get(f"{BASE}/requests/RC-2026-0000000.xml")
    assert missing.status_code == 404 and ElementTree.fromstring(missing.data).find("error") is not None


def test_service_request_updates_give_every_step_in_the_period(db, requests_client):
    from services.tracking import treatment

    admin = {"sub": "admin", "role": "admin", "districts": ["*"]}
    answered = _file(db, publish=True)  # the citizen consented to publishing their words and place
    treatment.transition(db, admin, answered, {"to": "in_progress", "public_note": "Équipe envoyée."})
    treatment.transition(db, admin, answered, {"to": "resolved", "public_note": "Trou rebouché."})
    waiting = _file(db, category="public-lighting", district="maarif")

    answer = requests_client.get(f"{BASE}/servicerequestupdates.json")
    assert answer.status_code == 200
    updates = [u for u in answer.json if u["service_request_id"] in (answered, waiting)]
    assert [(u["service_request_id"], u["extended_status"]) for u in updates] == [  # oldest first
        (answered, "received"),
        (answered, "in_progress"),
        (answered, "resolved"),
        (waiting, "received"),
    ]
    assert [u["status"] for u in updates] == ["open", "open", "closed", "open"]
    assert updates[2]["description"] == "Trou rebouché." and updates[2]["update_id"] == f"{answered}-2"
    assert len({u["update_id"] for u in answer.json}) == len(answer.json)
    text = answer.get_data(as_text=True)
    assert "Nadia" not in text and "nadia.secret" not in text

    root = ElementTree.fromstring(requests_client.get(f"{BASE}/servicerequestupdates.xml").data)
    assert root.tag == "service_request_updates"
    assert {u.findtext("update_id") for u in root.findall("request_update")} >= {f"{answered}-2"}
    second = requests_client.get(f"{BASE}/servicerequestupdates.json?page_size=1&page=2").json
    assert second == answer.json[1:2]
    assert requests_client.get(f"{BASE}/servicerequestupdates.json?jurisdiction_id=maarif").json == [
        u for u in answer.json if u["service_request_id"] == waiting
    ]
    future = requests_client.get(f"{BASE}/servicerequestupdates.json?start_date=2099-01-01T00:00:00Z")
    assert future.status_code == 200 and future.json == []
    bad = requests_client.get(
        f"{BASE}/servicerequestupdates.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z"
    )
    assert bad.status_code == 400 and "90 days" in bad.json[0]["description"]


@pytest.mark.parametrize("endpoint", ["requests", "servicerequestupdates"])
def test_dates_out_of_range_are_a_400_in_the_specification_shape(db, requests_client, endpoint):
    _file(db)  # something the store would find, were the dates let through
    for query in (
        "start_date=9999-12-31T00:00:00Z",
        "end_date=0001-01-01T00:00:00Z",
        "start_date=0001-01-01T00:00:00Z",
        "end_date=9999-12-31T23:59:59-05:00",  # past the last date the store can hold, once in UTC
        "start_date=0001-01-01T00:00:00%2B05:00",
    ):
        name = query.partition("=")[0]
        answer = requests_client.get(f"{BASE}/{endpoint}.json?{query}")
        assert answer.status_code == 400, (query, answer.get_data(as_text=True))
        assert answer.json[0]["code"] == 400 and name in answer.json[0]["description"]
        xml = requests_client.get(f"{BASE}/{endpoint}.xml?{query}")
        assert xml.status_code == 400 and xml.content_type.startswith("text/xml"), query
        error = ElementTree.fromstring(xml.data).find("error")
        assert error.findtext("code") == "400" and name in error.findtext("description")
    bounds = requests_client.get(f"{BASE}/{endpoint}.json?start_date=1970-01-01T00:00:00Z")
    assert bounds.status_code == 200 and bounds.json == []
