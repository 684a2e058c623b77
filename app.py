"""Yunge (云格) — wiring only: the Chalice app, its blueprints and its event handlers."""

from typing import Any

from chalice import Chalice

from chalicelib.api.accounts import accounts_api
from chalicelib.api.actions import actions_api
from chalicelib.api.admin import admin_api
from chalicelib.api.auth_routes import auth_api
from chalicelib.api.geo import geo_api
from chalicelib.api.guard import guard_api
from chalicelib.api.imports import imports_api
from chalicelib.api.meta import meta_api
from chalicelib.api.outages import outages_api
from chalicelib.api.reports import reports_api
from chalicelib.api.sms_replies import sms_api
from chalicelib.api.staff import staff_api
from chalicelib.api.tickets import tickets_api
from chalicelib.api.uploads import uploads_api
from chalicelib.api.usage import usage_api
from chalicelib.config import get_settings
from chalicelib.observability import observe
from chalicelib.web.routes import pages_api

app = Chalice(app_name="yunge", configure_logs=False)
app.api.cors = False
app.register_middleware(observe, "all")

for blueprint in (
    guard_api,
    meta_api,
    auth_api,
    accounts_api,
    tickets_api,
    outages_api,
    sms_api,
    actions_api,
    uploads_api,
    staff_api,
    admin_api,
    reports_api,
    pages_api,
    imports_api,
    usage_api,
    geo_api,
):
    app.register_blueprint(blueprint)


@app.schedule("rate(1 minute)")
def sla_watchdog(event: Any) -> dict[str, object]:
    from chalicelib.lifecycle.watchdog import on_schedule
    from chalicelib.outages.notices import on_schedule as tell_outages

    return {**on_schedule(event), "outages": tell_outages(event)}


@app.on_dynamodb_record(stream_arn=get_settings().tickets_stream_arn, batch_size=100)
def ticket_stream(event: Any) -> Any:
    from chalicelib.dispatch.stream import on_ticket_stream

    return on_ticket_stream(event)


@app.schedule("cron(0 17 L * ? *)")  # 01:00 on the 1st, Asia/Shanghai
def monthly_report(event: Any) -> dict[str, object]:
    from chalicelib.reports.service import on_schedule

    return on_schedule(event)


@app.lambda_function(name="import_upload")
def import_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """An import file landed under imports/ (EventBridge rule), or a job continues."""
    from chalicelib.imports.handler import on_import_event

    return on_import_event(event, context)


@app.lambda_function(name="usage_feed")
def usage_feed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A usage or bill feed file landed under feeds/ (EventBridge rule): load it."""
    from chalicelib.usage.handler import on_feed_event

    return on_feed_event(event)
