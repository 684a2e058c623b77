"""The ticket state machine and who may drive it (API.md, Tickets)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import Conflict, Forbidden, NotFound, TicketNotFound
from chalicelib.domain.labels import ACTION_LABELS, STATUS_LABELS
from chalicelib.domain.lifecycle import (
    authorize,
    available_actions,
    next_status,
)
from chalicelib.domain.org import STAFF_ROLES, Role
from chalicelib.domain.policy import DEFAULT_POLICY
from chalicelib.domain.tickets import OPEN_STATUSES, Action, Status, TicketType

NOW = datetime(2026, 11, 27, 2, 15, tzinfo=UTC)
RESOLVED_AT = NOW - timedelta(days=1)
S, A = Status, Action

# Written out by hand from the spec, independently of the module's own table.
LEGAL: dict[tuple[Status, Action], Status] = {
    (S.SUBMITTED, A.DISPATCH): S.DISPATCHED,
    (S.SUBMITTED, A.CANCEL): S.CANCELLED,
    (S.DISPATCHED, A.ACCEPT): S.ACCEPTED,
    (S.DISPATCHED, A.TRANSFER): S.DISPATCHED,
    (S.DISPATCHED, A.CANCEL): S.CANCELLED,
    (S.ACCEPTED, A.ARRIVE): S.ON_SITE,
    (S.ACCEPTED, A.TRANSFER): S.DISPATCHED,
    (S.ON_SITE, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.CONFIRM): S.CLOSED,
    (S.RESOLVED, A.CALLBACK): S.CLOSED,  # reached; an unanswered call leaves it resolved
    (S.RESOLVED, A.AUTO_CLOSE): S.CLOSED,
    (S.RESOLVED, A.REOPEN): S.DISPATCHED,
    (S.CLOSED, A.REOPEN): S.DISPATCHED,
    **{(status, A.ESCALATE): status for status in OPEN_STATUSES},
}
CONSULTATION_ONLY = {(S.ACCEPTED, A.RESOLVE): S.RESOLVED}


def expected(status: Status, action: Action, ticket_type: TicketType) -> Status | None:
    if ticket_type is TicketType.CONSULTATION and (status, action) in CONSULTATION_ONLY:
        return CONSULTATION_ONLY[(status, action)]
    return LEGAL.get((status, action))


def move(
    status: Status,
    action: Action,
    ticket_type: TicketType,
    *,
    resolved_at: datetime | None = RESOLVED_AT,
    reopen_window: timedelta = DEFAULT_POLICY.reopen_window,
) -> Status:
    return next_status(
        status,
        action,
        ticket_type=ticket_type,
        resolved_at=resolved_at,
        now=NOW,
        reopen_window=reopen_window,
    )


@pytest.mark.parametrize(
    ("status", "action", "ticket_type"), list(itertools.product(Status, Action, TicketType))
)
def test_every_status_action_pair_follows_the_spec(
    status: Status, action: Action, ticket_type: TicketType
) -> None:
    want = expected(status, action, ticket_type)
    if want is not None:
        assert move(status, action, ticket_type) is want
    else:
        with pytest.raises(Conflict) as caught:
            move(status, action, ticket_type)
        assert caught.value.code == "illegal_transition"
        assert caught.value.status == 409
        assert STATUS_LABELS[status] in caught.value.message
        assert ACTION_LABELS[action] in caught.value.message


def test_cancel_after_acceptance_names_the_current_status() -> None:
    with pytest.raises(Conflict) as caught:
        move(S.ACCEPTED, A.CANCEL, TicketType.FAULT_REPAIR)
    assert caught.value.message == "工单当前状态为“已接单”，不能执行“撤销”"


def test_a_fault_cannot_be_resolved_without_arriving_but_a_consultation_can() -> None:
    with pytest.raises(Conflict):
        move(S.ACCEPTED, A.RESOLVE, TicketType.FAULT_REPAIR)
    assert move(S.ACCEPTED, A.RESOLVE, TicketType.CONSULTATION) is S.RESOLVED


@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED])
def test_reopen_exactly_at_seven_days_is_in_time(status: Status) -> None:
    resolved_at = NOW - timedelta(days=7)
    assert move(status, A.REOPEN, TicketType.FAULT_REPAIR, resolved_at=resolved_at) is S.DISPATCHED


@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED])
def test_reopen_one_second_after_seven_days_is_refused(status: Status) -> None:
    resolved_at = NOW - timedelta(days=7, seconds=1)
    with pytest.raises(Conflict) as caught:
        move(status, A.REOPEN, TicketType.FAULT_REPAIR, resolved_at=resolved_at)
    assert caught.value.code == "reopen_window_closed"
    assert "7天" in caught.value.message


def test_demo_policy_shrinks_the_reopen_window() -> None:
    window = DEFAULT_POLICY.scaled(1 / 60).reopen_window
    resolved_at = NOW - timedelta(hours=3)
    with pytest.raises(Conflict) as caught:
        move(
            S.RESOLVED,
            A.REOPEN,
            TicketType.METER_SERVICE,
            resolved_at=resolved_at,
            reopen_window=window,
        )
    assert "168分钟" in caught.value.message


def test_reopen_without_resolved_at_is_a_data_error() -> None:
    with pytest.raises(ValueError):
        move(S.RESOLVED, A.REOPEN, TicketType.FAULT_REPAIR, resolved_at=None)


def test_available_actions_for_a_dispatched_ticket() -> None:
    got = available_actions(
        S.DISPATCHED, ticket_type=TicketType.FAULT_REPAIR, resolved_at=None, now=NOW
    )
    assert got == {A.ACCEPT, A.TRANSFER, A.CANCEL, A.ESCALATE}


def test_a_closed_ticket_past_the_window_offers_nothing() -> None:
    old = NOW - timedelta(days=8)
    got = available_actions(S.CLOSED, ticket_type=TicketType.FAULT_REPAIR, resolved_at=old, now=NOW)
    assert got == frozenset()


# --- who may act -------------------------------------------------------------------------

STAFF = [A.ACCEPT, A.ARRIVE, A.RESOLVE, A.TRANSFER]
CUSTOMER = [A.CANCEL, A.CONFIRM, A.REOPEN]
SYSTEM = [A.SUBMIT, A.DISPATCH, A.ESCALATE, A.AUTO_CLOSE]
NOBODY = {"is_owner": False, "is_assignee": False, "in_scope": False}


def pairs(actions: list[Action], roles: list[Role]) -> list[tuple[Action, Role]]:
    return list(itertools.product(actions, roles))


def check(action: Action, role: Role, **facts: bool) -> type[Exception] | None:
    try:
        authorize(action, role=role, **{**NOBODY, **facts})
    except (Forbidden, NotFound) as exc:
        return type(exc)
    return None


@pytest.mark.parametrize("action", CUSTOMER)
def test_owner_may_take_customer_actions(action: Action) -> None:
    assert check(action, Role.CUSTOMER, is_owner=True) is None


@pytest.mark.parametrize("action", CUSTOMER + STAFF + SYSTEM)
def test_another_customers_ticket_looks_missing(action: Action) -> None:
    # the same 404 ticket_not_found an unknown ticket id gets
    assert check(action, Role.CUSTOMER) is TicketNotFound


@pytest.mark.parametrize("action", STAFF)
def test_owner_may_not_take_staff_actions(action: Action) -> None:
    assert check(action, Role.CUSTOMER, is_owner=True) is Forbidden


@pytest.mark.parametrize(("action", "role"), pairs(STAFF, sorted(STAFF_ROLES)))
def test_assignee_may_take_staff_actions(action: Action, role: Role) -> None:
    assert check(action, role, is_assignee=True) is None


@pytest.mark.parametrize(("action", "role"), pairs(STAFF, [Role.CHIEF, Role.BRANCH]))
def test_chief_and_branch_act_within_their_scope_only(action: Action, role: Role) -> None:
    assert check(action, role, in_scope=True) is None
    assert check(action, role, in_scope=False) is Forbidden


@pytest.mark.parametrize(("action", "role"), pairs(STAFF, [Role.MANAGER, Role.OPS, Role.ADMIN]))
def test_other_staff_need_to_be_the_assignee(action: Action, role: Role) -> None:
    assert check(action, role, in_scope=True) is Forbidden


@pytest.mark.parametrize(("action", "role"), pairs(CUSTOMER, sorted(STAFF_ROLES)))
def test_staff_may_not_take_customer_actions(action: Action, role: Role) -> None:
    assert check(action, role, is_assignee=True, in_scope=True, is_owner=True) is Forbidden


@pytest.mark.parametrize(("action", "role"), pairs(SYSTEM, list(Role)))
def test_nobody_may_request_system_actions(action: Action, role: Role) -> None:
    facts = {"is_owner": True, "is_assignee": True, "in_scope": True}
    assert check(action, role, **facts) is Forbidden


# --- random walks ----------------------------------------------------------------------------

# Each step is an action (None = the next step forward, which steers walks deep into the
# machine; any other action is thrown at whatever state the ticket is in) after a wait of up to
# eight days, so reopens land both inside and outside the window.
FORWARD = {
    S.SUBMITTED: A.DISPATCH,
    S.DISPATCHED: A.ACCEPT,
    S.ACCEPTED: A.ARRIVE,
    S.ON_SITE: A.RESOLVE,
    S.RESOLVED: A.CONFIRM,
    S.CLOSED: A.REOPEN,
    S.CANCELLED: A.REOPEN,
}
steps = st.lists(
    st.tuples(
        st.one_of(st.none(), st.sampled_from(Action)),
        st.integers(min_value=0, max_value=8 * 24 * 3600),
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(ticket_type=st.sampled_from(TicketType), walk=steps)
def test_random_walks_stay_inside_the_machine(
    ticket_type: TicketType, walk: list[tuple[Action | None, int]]
) -> None:
    status, now, resolved_at = Status.SUBMITTED, NOW, None
    for chosen, wait in walk:
        now += timedelta(seconds=wait)
        action = chosen or FORWARD[status]
        before = status
        try:
            status = next_status(
                status, action, ticket_type=ticket_type, resolved_at=resolved_at, now=now
            )
        except Conflict:
            in_window = resolved_at is not None and now - resolved_at <= timedelta(days=7)
            assert not (before is Status.CLOSED and action is A.REOPEN and in_window)
            assert expected(before, action, ticket_type) is None or action is A.REOPEN
            continue
        assert status in Status
        assert status is expected(before, action, ticket_type)
        if before in (Status.CLOSED, Status.CANCELLED):
            assert before is Status.CLOSED and action is A.REOPEN
        if status is Status.RESOLVED:
            resolved_at = now
