"""The platform as its users see it through the gateway: a citizen with a token, a staff member."""

from __future__ import annotations

from tests.support import wait_for


class Client:
    """The platform as one user sees it."""

    def __init__(self, platform, token: str | None = None):
        self.platform, self.api = platform, f"{platform.url}/api/v1"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **kw):
        return self.platform.http.get(self.api + path, headers=self.headers, timeout=10, **kw)

    def post(self, path, **kw):
        return self.platform.http.post(self.api + path, headers=self.headers, timeout=30, **kw)

    def patch(self, path, **kw):
        return self.platform.http.patch(self.api + path, headers=self.headers, timeout=10, **kw)


def citizen(platform, number: str, email: str) -> Client:
    answer = wait_for(lambda: (r := platform.track(number, email)).status_code == 200 and r, 10)
    return Client(platform, answer.json()["access_token"])


def staff(platform, username: str, password: str) -> Client:
    answer = platform.http.post(
        f"{platform.url}/api/v1/staff/login", timeout=10, json={"username": username, "password": password}
    )
    assert answer.status_code == 200, answer.text
    return Client(platform, answer.json()["access_token"])
