"""Fuzzing every operation of docs/openapi.yaml through the gateway with schemathesis (pinned).

It runs last among the end-to-end tests (its name), since it files, changes and retires whatever
the document lets it. Checks: no 5xx, every answer (errors included) matches the document's
schema and content type. Once without a token, once as an administrator.
"""

from __future__ import annotations

import re
import subprocess
import uuid

from tests.contract import ROOT
from tests.e2e.users import staff

SEED = "20261128"
EXAMPLES = "25"


def fuzz(platform, folder, *headers: str) -> tuple[int, int, str]:
    """Run schemathesis (its cache in a folder of the test's); return the cases, the failures, its output."""
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "st"),
            "run",
            str(ROOT / "docs" / "openapi.yaml"),
            "--url",
            platform.url,
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--max-examples",
            EXAMPLES,
            "--seed",
            SEED,
            "--workers",
            "2",
            "--no-color",
            # /health answers 503 by design whenever a dependency is away: nothing to fuzz there.
            "--exclude-path",
            "/health",
            *headers,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    generated = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) failures?,", output)
    return int(generated.group(1)) if generated else 0, int(failures.group(1)) if failures else 0, output


def test_fuzzing_every_operation_finds_no_server_error_and_answers_as_documented(platform, tmp_path):
    admin = staff(platform, "admin", "e2e-admin-pass")
    name, password = f"fuzzer{uuid.uuid4().hex[:6]}", "fuzzing-password-1"
    made = admin.post("/staff/members", json={"username": name, "password": password, "role": "admin"})
    assert made.status_code == 201, made.text
    token = staff(platform, name, password).headers["Authorization"]

    report = []
    # Signing out would end the administrator's token for the rest of the run: fuzzed without one.
    as_admin = ("-H", f"Authorization: {token}", "--exclude-path", "/api/v1/staff/logout")
    for who, headers in (("anonymous", ()), ("administrator", as_admin)):
        generated, failures, output = fuzz(platform, tmp_path, *headers)
        report.append(f"{who}: {generated} cases, {failures} failures")
        assert generated > 1000, output[-3000:]
        assert failures == 0 and "passed" in output, output[-6000:]
    print("schemathesis " + "; ".join(report))
