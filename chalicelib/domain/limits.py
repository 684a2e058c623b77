"""Abuse limits: how many of an event one subject may cause per window. Pure values; the
counting is an atomic conditional update on the counters table (store/otp.py `hit`)."""

from __future__ import annotations

from dataclasses import dataclass

HOUR, DAY = 3600, 24 * 3600


@dataclass(frozen=True, slots=True)
class Limit:
    name: str  # part of the counter key: rl#<name>#<subject>
    count: int
    window: int  # seconds, counted from the first event of the window

    def key(self, subject: str) -> str:
        return f"rl#{self.name}#{subject}"


# Staff login codes: per phone (one a minute, five an hour), per source address (an office
# NAT serves a station's staff) and overall (one client cannot spray every staff phone).
OTP_PER_PHONE = (Limit("otp_60s", 1, 60), Limit("otp_3600s", 5, HOUR))
OTP_PER_SOURCE = (Limit("otp_ip_60s", 5, 60), Limit("otp_ip_3600s", 20, HOUR))
OTP_OVERALL = (Limit("otp_all_3600s", 1000, HOUR),)

# Binding an account: per openid (a household binds a few; guessing names takes many) and per
# account number across every openid (many WeChat ids guessing one account's holder name).
BIND_PER_OPENID = (Limit("bind", 10, HOUR),)
BIND_PER_ACCOUNT = (Limit("bind_acct_1h", 5, HOUR), Limit("bind_acct_1d", 20, DAY))

# SMS to a contact phone that is not the account's phone on record, across all tickets.
CONTACT_SMS_PER_DAY = Limit("contact_sms", 3, DAY)


def ticket_limits(per_hour: int, per_day: int) -> tuple[Limit, ...]:
    """Tickets one customer may submit (settings: YUNGE_TICKETS_PER_HOUR / _PER_DAY)."""
    return (Limit("tickets_1h", per_hour, HOUR), Limit("tickets_1d", per_day, DAY))
