"""`python -m infra.docs`: rewrite docs/API.md from the app's own OpenAPI document."""

from __future__ import annotations

from infra.docs.api_reference import TARGET, current

if __name__ == "__main__":
    TARGET.write_text(current(), encoding="utf-8")
    print(f"wrote {TARGET}")
