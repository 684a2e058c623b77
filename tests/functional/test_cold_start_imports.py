"""`import app` stays light: the geometry and spreadsheet libraries (shapely with numpy,
openpyxl, XlsxWriter, pygal) load only inside the functions that need them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("shapely", "numpy", "openpyxl", "xlsxwriter", "pygal")


def loaded_by_import_app(modules: tuple[str, ...]) -> tuple[str, str]:
    """Which of `modules` a fresh interpreter holds after `import app` (as printed), and
    what it said on stderr."""
    code = f"import sys, app; print([m for m in {modules!r} if m in sys.modules])"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    return out.stdout.strip(), out.stderr


def test_import_app_loads_no_geometry_or_spreadsheet_library() -> None:
    loaded, errors = loaded_by_import_app(HEAVY)
    assert loaded == "[]", errors


# What only the import_upload Lambda runs (and urllib.request, which xml.sax.saxutils drags in)
IMPORT_JOB_ONLY = (
    "chalicelib.imports.jobs",
    "chalicelib.imports.maps",
    "chalicelib.geo.svg",
    "chalicelib.geo.index",
    "urllib.request",
)


def test_import_app_leaves_the_import_job_runner_and_map_drawing_to_their_lambda() -> None:
    loaded, errors = loaded_by_import_app(IMPORT_JOB_ONLY)
    assert loaded == "[]", loaded + errors


# What only an outage or usage request runs: their services, rules and presenters
FIRST_REQUEST_ONLY = (
    "chalicelib.outages.desk",
    "chalicelib.api.present_outages",
    "chalicelib.usage.query",
    "chalicelib.domain.usage",
)


def test_import_app_leaves_outage_and_usage_services_to_their_first_request() -> None:
    loaded, errors = loaded_by_import_app(FIRST_REQUEST_ONLY)
    assert loaded == "[]", loaded + errors


# What only a request of its own runs: the use cases behind the routes, the ticket and outage
# rules (transitions, clocks, policy, calendar, assignment, outages), the stores and the SMS
# log they write through and the OpenAPI document builder. Route modules name only their
# schemas at import.
ROUTE_HANDLERS_ONLY = (
    "chalicelib.usecases.accounts",
    "chalicelib.usecases.actions",
    "chalicelib.usecases.imports",
    "chalicelib.usecases.intake",
    "chalicelib.usecases.locate",
    "chalicelib.usecases.maps",
    "chalicelib.usecases.queries",
    "chalicelib.usecases.staff",
    "chalicelib.domain.assignment",
    "chalicelib.domain.calendar",
    "chalicelib.domain.clocks",
    "chalicelib.domain.policy",
    "chalicelib.domain.transitions",
    "chalicelib.domain.outages",
    "chalicelib.domain.imports",
    "chalicelib.notify.log",
    "chalicelib.store.import_files",
    "chalicelib.store.otp",
    "chalicelib.store.tickets",
    "chalicelib.api.openapi",
)


def test_import_app_leaves_use_cases_ticket_rules_and_the_openapi_builder_to_requests() -> None:
    loaded, errors = loaded_by_import_app(ROUTE_HANDLERS_ONLY)
    assert loaded == "[]", loaded + errors
