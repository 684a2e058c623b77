"""Yunge (云格) — wiring only: the Chalice app, its blueprints and its event handlers."""

from chalice import Chalice

from chalicelib.api.accounts import accounts_api
from chalicelib.api.auth_routes import auth_api
from chalicelib.api.guard import guard_api
from chalicelib.api.meta import meta_api
from chalicelib.api.staff import staff_api
from chalicelib.api.tickets import tickets_api
from chalicelib.api.uploads import uploads_api

app = Chalice(app_name="yunge", configure_logs=False)
app.api.cors = False

for blueprint in (
    guard_api,
    meta_api,
    auth_api,
    accounts_api,
    tickets_api,
    uploads_api,
    staff_api,
):
    app.register_blueprint(blueprint)
