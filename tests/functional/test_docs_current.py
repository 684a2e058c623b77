"""The repository's docs say what the code does: the clock table comes from the service policy,
every SMS template has a row in the notification table, and the README links to them."""

from __future__ import annotations

from pathlib import Path

from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.notify.templates import TemplateKey
from infra.docs.standards import clock_table

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_clock_table_is_the_service_policys() -> None:
    standards = (DOCS / "SERVICE_STANDARDS.md").read_text(encoding="utf-8")
    assert clock_table(DEFAULT_POLICY) in standards, (
        "docs/SERVICE_STANDARDS.md's clock table differs from chalicelib/domain/policy.py: "
        "paste infra.docs.standards.clock_table(DEFAULT_POLICY)"
    )
    assert "chalicelib/domain/policy.py" in standards


def test_every_sms_template_has_a_row_in_the_notification_table() -> None:
    table = (DOCS / "NOTIFICATIONS.md").read_text(encoding="utf-8")
    missing = [key.value for key in TemplateKey if f"| `{key.value}` |" not in table]
    assert missing == [], f"docs/NOTIFICATIONS.md has no row for {missing}"


def test_the_readme_links_the_docs() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for name in ("API.md", "SERVICE_STANDARDS.md", "NOTIFICATIONS.md"):
        assert f"(docs/{name})" in readme, name
        assert (DOCS / name).is_file()
