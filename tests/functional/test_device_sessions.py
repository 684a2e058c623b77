"""The work page's device session: a manager logs in once on his phone for up to 30 days;
logging out ends it on the server, and so does a change of his staff phone."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

M1_PHONE = "13910000001"  # tests/district.py: 网格经理1


def login(api: Any, clock: Any, *, device: bool) -> dict[str, Any]:
    assert api.call("POST", "/v1/auth/staff/otp", {"phone": M1_PHONE}).status == 202
    (code,) = re.findall(r"验证码为(\d{6})", api.services.sms.to(M1_PHONE)[-1].text)
    body = {"phone": M1_PHONE, "code": code, "device": device}
    reply = api.call("POST", "/v1/auth/staff/token", body)
    assert reply.status == 200, reply.body
    clock.advance(minutes=2)  # the next code may be asked a minute later
    return dict(reply.body)


def me(api: Any, token: str) -> Any:
    response = api.client.http.get("/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, json.loads(response.body)


def logout(api: Any, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return int(api.client.http.delete("/v1/staff/me/session", headers=headers).status_code)


def test_a_device_session_lasts_30_days_and_ends_at_logout(api, clock) -> None:  # type: ignore[no-untyped-def]
    # Given a manager logged in on his phone, and at his desk (an ordinary session)
    phone = login(api, clock, device=True)
    desk = login(api, clock, device=False)
    assert phone["expires_in"] == 30 * 24 * 3600
    assert desk["expires_in"] == 12 * 3600
    clock.advance(days=20)
    assert me(api, phone["token"])[0] == 200
    # When he logs out on the phone
    assert logout(api, phone["token"]) == 204
    # Then that token is refused from now on, with a reason the page can show
    status, body = me(api, phone["token"])
    assert (status, body["error"]["code"]) == (401, "session_ended")
    # and a later login on the phone works again
    assert me(api, login(api, clock, device=True)["token"])[0] == 200


def test_a_changed_staff_phone_ends_every_session_of_the_old_one(api, clock) -> None:  # type: ignore[no-untyped-def]
    # Given a manager logged in on his phone
    token = login(api, clock, device=True)["token"]
    assert me(api, token)[0] == 200
    # When the bureau records a new phone number for him
    org = api.services.org
    org.put_all([replace(org.staff("M1"), phone="13910009999")])
    # Then the session of the old number ends
    status, body = me(api, token)
    assert (status, body["error"]["code"]) == (401, "staff_changed")


def test_the_token_carries_no_phone_number(api, clock) -> None:  # type: ignore[no-untyped-def]
    import base64

    token = login(api, clock, device=True)["token"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert M1_PHONE not in json.dumps(claims)
    assert set(claims) >= {"sid", "pk"} and len(claims["pk"]) == 16
