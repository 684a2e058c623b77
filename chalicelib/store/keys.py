"""Key encodings shared by the stores: sortable UTC timestamps, shards, list cursors."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain.dates import SHANGHAI, month_of
from chalicelib.domain.errors import ValidationFailed


def iso(moment: datetime) -> str:
    """UTC, fixed width, microseconds: lexical order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _bucket(text: str, shards: int) -> int:
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big") % shards


def shard_key(prefix: str, shard: int) -> str:
    """The one shard format: "due#03", "2026-11#03", "open#03"."""
    return f"{prefix}#{shard:02d}"


def due_shard(ticket_id: str, shards: int) -> str:
    return shard_key("due", _bucket(ticket_id, shards))


def months_between(start: datetime, end: datetime) -> list[str]:
    """Every Asia/Shanghai month ("2026-11") holding an instant of [start, end), oldest first."""
    if start >= end:
        return []
    first = start.astimezone(SHANGHAI)
    year, month = first.year, first.month
    months: list[str] = []
    while datetime(year, month, 1, tzinfo=SHANGHAI) < end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_shard(ticket_id: str, created_at: datetime, shards: int) -> str:
    return shard_key(month_of(created_at), _bucket(ticket_id, shards))


def settle_shard(ticket_id: str, settles_at: datetime | None, shards: int) -> str:
    """ "open#03" while the ticket is not final, else the Shanghai month it settles in."""
    month = "open" if settles_at is None else month_of(settles_at)
    return shard_key(month, _bucket(ticket_id, shards))


def encode_position(**fields: str) -> str:
    """An opaque list cursor: url-safe base64 of a small JSON object, unpadded."""
    raw = json.dumps(fields, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_position(token: str, *names: str) -> dict[str, str]:
    """The fields of a cursor made by `encode_position`; a 400 on `cursor` if it is not one."""
    try:
        data = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()))
        return {name: str(data[name]) for name in names}
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed(fields={"cursor": "分页游标无效"}) from None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position in a newest-first list: everything strictly older than (created_at, id)."""

    created_at: str
    ticket_id: str

    def precedes(self, created_at: datetime, ticket_id: str) -> bool:
        """Whether a row created then with that id comes after this position (is older)."""
        return (iso(created_at), ticket_id) < (self.created_at, self.ticket_id)

    def encode(self) -> str:
        return encode_position(c=self.created_at, t=self.ticket_id)

    @classmethod
    def decode(cls, token: str) -> Cursor:
        fields = decode_position(token, "c", "t")
        try:
            parse_iso(fields["c"])
        except ValueError:
            raise ValidationFailed(fields={"cursor": "分页游标无效"}) from None
        return cls(created_at=fields["c"], ticket_id=fields["t"])
