"""What a refused request looks like: the contract's error shape, and a body nothing may read."""

from __future__ import annotations

import io


def refused(answer, status: int = 400, code: str = "validation_error") -> dict:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert set(answer.json) == {"error"} and answer.json["error"]["code"] == code
    assert answer.json["error"]["message"]
    return answer.json["error"]


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.read_bytes += len(buffer)
        raise AssertionError("the body was read")
