"""The repository's docs/ that are generated: `python -m infra.docs` (make docs) rewrites
docs/API.md from the app's OpenAPI document; a test fails when it is stale."""
