from flask import Blueprint
from pymongo.errors import ServerSelectionTimeoutError

from common.errors import Conflict
from common.web import create_service_app

api = Blueprint("t", __name__)


@api.get("/conflict")
def conflict():
    raise Conflict("Not in this state.")


@api.get("/store-down")
def store_down():
    raise ServerSelectionTimeoutError("no servers")


@api.get("/boom")
def boom():
    raise RuntimeError("secret internals")


def client():
    return create_service_app("unit", api).test_client()


def test_errors_have_the_contract_shape():
    answer = client().get("/conflict")
    assert answer.status_code == 409
    assert answer.json == {"error": {"code": "conflict", "message": "Not in this state."}}


def test_a_store_outage_is_a_503_not_a_stack_trace():
    answer = client().get("/store-down")
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "service_unavailable"


def test_unexpected_errors_hide_their_internals():
    answer = client().get("/boom")
    assert answer.status_code == 500
    assert "secret" not in answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == "internal_error"


def test_unknown_routes_and_methods_answer_in_the_shape():
    assert client().get("/nowhere").json["error"]["code"] == "not_found"
    answer = client().post("/conflict")
    assert answer.status_code == 405 and answer.json["error"]["code"] == "method_not_allowed"


def test_the_request_id_is_passed_on_or_created():
    assert client().get("/health/live", headers={"X-Request-ID": "abc"}).headers["X-Request-ID"] == "abc"
    assert len(client().get("/health/live").headers["X-Request-ID"]) == 32
