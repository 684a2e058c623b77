"""docs/API.md is the API reference as the routes say it is now (generated, never stale)."""

from __future__ import annotations

from infra.docs.api_reference import TARGET, current


def test_docs_api_md_is_current() -> None:
    # Given the reference generated from the app's OpenAPI document right now
    expected = current()
    # Then the committed docs/API.md is exactly it
    assert TARGET.read_text(encoding="utf-8") == expected, (
        "docs/API.md is stale: run `make docs` (python -m infra.docs) and commit it"
    )


def test_the_reference_shows_each_ticket_types_details_and_the_error_shape() -> None:
    text = current()
    assert "### `POST /v1/tickets`" in text and "### `POST /v1/tickets/{ticket_id}/actions`" in text
    assert "*CreateTicket_meter_service*" in text and "### MeterDetails" in text
    assert "| `scope` | enum |  | one of `area`, `building`, `household`, `socket`" in text
    assert '{"error": {"code": "...", "message": "中文说明",' in text
