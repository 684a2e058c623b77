"""Usage information (API.md, Usage): GET /v1/me/accounts/{account_no}/usage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, endpoint, query_params, respond
from chalicelib.api.present import local_time, local_time_or_none
from chalicelib.api.usage_schemas import UsageBalance, UsageDay, UsageMonth, UsageOut, UsageTier
from chalicelib.bootstrap import services
from chalicelib.usecases.scope import scope_of

from .guard import protected

if TYPE_CHECKING:
    from chalicelib.domain.usage import UsageView

usage_api = Blueprint(__name__)


@usage_api.route("/v1/me/accounts/{account_no}/usage", methods=["GET"], **protected())
@endpoint
@doc(
    "用电信息：近 12 个月电量电费、近 30 天日用电、结算余额（非实时）与当前阶梯",
    response=UsageOut,
    errors=(400, 403, 404),
    query={"ticket_id": "工作人员：所办工单（须在其服务范围内且为该户号的工单）"},
)
def account_usage(account_no: str) -> Response:
    request = usage_api.current_request
    svc = services()
    scope = scope_of(svc, caller(request))
    from chalicelib.usage.query import ReadUsage  # usage rules load on the first usage read

    command = ReadUsage(account_no, scope, query_params(request).get("ticket_id"))
    return respond(usage_out(svc.usage_reader.read(command)))


def usage_out(view: UsageView) -> UsageOut:
    bill, tier = view.balance, view.tier
    as_of = local_time_or_none(view.as_of)
    return UsageOut(
        account_no=view.account_no,
        as_of=as_of,
        as_of_label=f"数据截至 {as_of[:16].replace('T', ' ')}" if as_of else "暂无数据",
        months=[UsageMonth(m.month, m.kwh, m.amount_yuan) for m in view.months],
        days=[
            UsageDay(
                d.day.isoformat(), d.kwh, d.quality.value, d.peak_kwh, d.flat_kwh, d.valley_kwh
            )
            for d in view.days
        ],
        balance=UsageBalance(
            settlement_balance_yuan=bill.settlement_balance_yuan,
            arrears_yuan=bill.arrears_yuan,
            penalty_yuan=bill.penalty_yuan,
            as_of=local_time(bill.as_of),
            period=bill.period,
        )
        if bill
        else None,
        tier=UsageTier(
            tier.current, tier.remaining_kwh, tier.label, tier.basis.value, tier.price_yuan
        )
        if tier
        else None,
    )
