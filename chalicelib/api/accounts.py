"""Customer accounts (户号) and the grid-manager card."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, respond
from chalicelib.api.present import account_out
from chalicelib.api.schemas import AccountList, AccountOut, BindAccount
from chalicelib.bootstrap import services
from chalicelib.domain.org import Role

from .guard import protected

# The account use cases and their rate limits load on their first request, not with
# `import app` (bench/bench_coldstart.py).

accounts_api = Blueprint(__name__)


@accounts_api.route("/v1/me/accounts", methods=["POST"], **protected())
@endpoint
@doc(
    "绑定户号（户名须与档案一致）",
    body=BindAccount,
    response=AccountOut,
    status=201,
    errors=(403, 404),
)
def bind() -> Response:
    from chalicelib.usecases.accounts import bind_account

    request = accounts_api.current_request
    who = caller(request, Role.CUSTOMER)
    body = decode(request, BindAccount)
    card = bind_account(services(), who.subject, body.account_no, body.holder_name)
    return respond(account_out(card), 201)


@accounts_api.route("/v1/me/accounts", methods=["GET"], **protected())
@endpoint
@doc("我的户号及网格经理公示牌", response=AccountList, errors=(403,))
def accounts() -> Response:
    from chalicelib.usecases.accounts import my_accounts

    who = caller(accounts_api.current_request, Role.CUSTOMER)
    cards = my_accounts(services(), who.subject)
    return respond(AccountList(items=[account_out(c) for c in cards]))
