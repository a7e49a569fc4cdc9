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
    assert found[0]["service_code"] == "roads" and found[0]["requested_datetime"]
    assert found[0]["description"] is None  # filed without the consent to publish it
    listed = platform.http.get(f"{base}/requests.xml", params={"service_request_id": number}, timeout=10)
    assert [r.findtext("service_request_id") for r in ElementTree.fromstring(listed.content)] == [number]
    assert "Omar" not in answer.text + listed.text and "omar.prive" not in answer.text + listed.text
    assert "Un trou profond" not in answer.text + listed.text


def test_another_projects_clients_post_a_request_and_follow_it_to_closed_in_json_and_xml(platform):
    """civicbot (its POST, in JSON) and georeport (its reads, in JSON and XML), as published on PyPI."""
    from civicbot.http import HttpTransport, RateLimiter
    from civicbot.open311 import Open311Client
    from civicbot.registry import Endpoint
    from georeport import GeoReport

    from tests.e2e.users import citizen, staff
    from tests.support import wait_for

    admin = staff(platform, "admin", "e2e-admin-pass")
    issued = admin.post("/staff/open311-keys", json={"name": "Allo Casa app"})
    assert issued.status_code == 201
    key = issued.json()["key"]
    base = f"{platform.url}/open311/v2"
    poster = Open311Client(
        Endpoint(id="casablanca", name="Casablanca", base_url=base, write=True),
        transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)),
        jurisdiction_id="casablanca",
    )
    assert "roads" in [s["service_code"] for s in poster.list_services()]
    sent = poster.create_request(
        "roads",
        dry_run=False,
        confirm="SEND",
        api_key=key,
        validate_remote=True,  # it checks the form against the service definition first
        lat=33.5765,
        lng=-7.6368,
        address_string="Boulevard Zerktouni",
        description="Nid de poule dangereux au carrefour.",
        email="salma.idrissi@example.ma",
        first_name="Salma",
        last_name="Idrissi",
        attributes={"kind": "claim", "publish": "true"},  # the citizen consented to publication
    )
    [receipt] = sent.response
    number = receipt["service_request_id"]
    assert poster.get_token(receipt["token"]) == [{"service_request_id": number, "token": receipt["token"]}]

    reader, xml_reader = (
        GeoReport(base, jurisdiction="casablanca"),
        GeoReport(base, jurisdiction="casablanca", output_format="xml"),
    )
    assert [s["service_code"] for s in reader.get_service_list()] == [
        s["service_code"] for s in xml_reader.get_service_list()
    ]
    definition = xml_reader.get_service_definition("roads")
    district = definition["attributes"]["attribute"][0]
    assert district["code"] == "district" and len(district["values"]["value"]) == 16
    first = wait_for(lambda: _found(reader, number), 15, 0.2, "the request to be trackable")
    assert first["status"] == "open" and first["service_code"] == "roads"
    assert first["lat"] == 33.5765 and first["address"] == "Boulevard Zerktouni"
    assert first["description"] == "Nid de poule dangereux au carrefour."

    # The citizen gave an email: she is told, and can track it like any complaint.
    wait_for(lambda: _mail_to(platform, number, "salma.idrissi@example.ma"), 15, 0.2, "the acknowledgement")
    assert (
        citizen(platform, number, "salma.idrissi@example.ma").get(f"/complaints/{number}").json()["district"]
        == "maarif"
    )  # placed by its point

    steps = ["acknowledged", "in_progress", "resolved", "closed"]
    for step in steps:
        moved = admin.post(
            f"/staff/complaints/{number}/transitions", json={"to": step, "public_note": f"Étape {step}"}
        )
        assert moved.status_code == 200, moved.text
    closed = reader.get_service_request(number)
    assert closed["status"] == "closed" and closed["status_notes"] == "Étape closed"
    closed_xml = xml_reader.get_service_request(number)
    assert closed_xml["status"] == "closed" and closed_xml["service_request_id"] == number
    listed = xml_reader.get_service_requests(service_request_id=number, status="closed")
    assert listed["service_request_id"] == number  # one request: xmltodict gives it alone
    text = str(closed) + str(closed_xml)
    assert "Salma" not in text and "salma.idrissi" not in text and "Idrissi" not in text
    since = {"start_date": first["requested_datetime"], "page_size": 200}
    updates = platform.http.get(f"{base}/servicerequestupdates.json", params=since, timeout=10).json()
    mine = [u["extended_status"] for u in updates if u["service_request_id"] == number]
    assert mine == ["received", *steps]


def test_a_request_posted_in_xml_with_the_key_make_run_printed_waits_for_staff_to_place_it(platform):
    import re

    import xmltodict

    from tests.e2e.users import staff

    key = re.search(r"api_key (\S+)\)", platform.log.read_text()).group(1)
    base = f"{platform.url}/open311/v2"
    form = {"api_key": key, "service_code": "public-lighting", "address_string": "Derb Ghallef, rue 7"}
    answer = platform.http.post(f"{base}/requests.xml", data=form, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
    receipt = xmltodict.parse(answer.content)["service_requests"]["request"]
    number = receipt["service_request_id"]
    token = xmltodict.parse(platform.http.get(f"{base}/tokens/{receipt['token']}.xml", timeout=10).content)
    assert token["service_requests"]["request"]["service_request_id"] == number
    refused = platform.http.post(f"{base}/requests.xml", data={**form, "api_key": "o311_wrong"}, timeout=10)
    assert refused.status_code == 403
    assert xmltodict.parse(refused.content)["errors"]["error"]["code"] == "403"

    admin = staff(platform, "admin", "e2e-admin-pass")
    from tests.support import wait_for

    waiting = wait_for(
        lambda: (
            number in [c["number"] for c in admin.get("/staff/complaints?unplaced=true").json()["items"]]
            or None
        ),
        15,
        0.2,
        "the request in the administrators' queue of requests to place",
    )
    assert waiting
    placed = admin.post(f"/staff/complaints/{number}/district", json={"district": "anfa"})
    assert placed.status_code == 200 and placed.json()["district"] == "anfa"
    assert (
        admin.post(f"/staff/complaints/{number}/district", json={"district": "atlantis"}).status_code == 400
    )
    found = platform.http.get(f"{base}/requests/{number}.json?extensions=true", timeout=10).json()[0]
    assert found["district"] == "anfa"


def _found(reader, number):
    import requests

    try:
        return reader.get_service_request(number)
    except requests.HTTPError:
        return None


def _mail_to(platform, number, address):
    return any(
        number in path.read_text(errors="replace") and address in path.read_text(errors="replace")
        for path in platform.mail_dir.glob("*.eml")
    )
