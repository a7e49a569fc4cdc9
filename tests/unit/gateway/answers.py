"""What the services answer the gateway's pages: the form's catalogue and a filed complaint's receipt."""

from __future__ import annotations

CATALOG = {
    "kinds": ["complaint", "claim", "suggestion"],
    "districts": [{"code": "anfa", "name": {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"}}],
    "categories": [{"code": "roads", "name": {"fr": "Voirie", "ar": "الطرق", "en": "Roads"}}],
}
RECEIPT = {
    "number": "RC-2026-7K3P9QX",
    "status": "received",
    "submitted_at": "2026-03-02T08:00:00.000Z",
    "ack_due": "2026-03-17T08:00:00.000Z",
    "answer_due": "2026-05-01T08:00:00.000Z",
}
