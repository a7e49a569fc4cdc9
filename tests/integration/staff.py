"""Staff members on the run's real store, and signing them in to tracking."""

from __future__ import annotations

import uuid

from services.tracking import accounts, staff_store


def make_member(db, role: str = "admin", password: str = "une-phrase-assez-longue") -> str:
    username = f"m{uuid.uuid4().hex[:8]}"
    account = accounts._account(
        username=username, password=password, role=role, districts=["anfa"], created_by="test"
    )
    staff_store.create_staff(db, account, [])
    return username


def sign_in(tracking, username: str, password: str = "une-phrase-assez-longue", address: str = "10.7.0.1"):
    answer = tracking.post(
        "/api/v1/staff/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['access_token']}"}
