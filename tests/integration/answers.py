"""Checking a service's answers, as the Flask test client gives them, against docs/openapi.yaml."""

from __future__ import annotations

from types import SimpleNamespace

from tests.contract import HttpContract

CONTRACT = HttpContract()


def documented(answer):
    """Return the answer of the Flask test client, after checking it is as docs/openapi.yaml says."""
    CONTRACT.problems.clear()
    request = SimpleNamespace(method=answer.request.method)
    CONTRACT.check(
        SimpleNamespace(
            request=request,
            url=answer.request.url,
            status_code=answer.status_code,
            headers=answer.headers,
            content=answer.data,
            json=lambda: answer.json,
        )
    )
    assert CONTRACT.problems == []
    return answer
