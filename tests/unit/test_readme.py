"""README.md: what it links to is in the repository, and nothing it names lies outside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_readme_names_nothing_outside_the_repository():
    assert "../" not in README


def test_every_file_the_readme_links_to_or_shows_exists():
    targets = re.findall(r"\]\(([^)#\s]+)", README) + re.findall(r'<img src="([^"]+)"', README)
    local = [t for t in targets if not t.startswith(("http://", "https://", "mailto:"))]
    assert local, "no local link found: the pattern is wrong"
    assert [t for t in local if not (ROOT / t).is_file()] == []


def test_trying_it_comes_first_with_a_phone_the_staff_queue_and_the_public_reports():
    sections = re.findall(r"^## (.+)$", README, re.M)
    assert sections[0] == "Trying it"
    trying = README.split("## Trying it", 1)[1].split("\n## ", 1)[0]
    shots = re.findall(r'<img src="(docs/screenshots/[^"]+\.png)"', trying)
    assert shots == [
        "docs/screenshots/filing-phone.png",
        "docs/screenshots/staff-queue.png",
        "docs/screenshots/reports.png",
    ]
    for shot in shots:
        assert (ROOT / shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
