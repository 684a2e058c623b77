"""Key encodings shared by the stores: sortable UTC timestamps, shards, list cursors."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain.dates import SHANGHAI
from chalicelib.domain.errors import ValidationFailed


def iso(moment: datetime) -> str:
    """UTC, fixed width, microseconds: lexical order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _bucket(text: str, shards: int) -> int:
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big") % shards


def due_shard(ticket_id: str, shards: int) -> str:
    return f"due#{_bucket(ticket_id, shards):02d}"


def month_of(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def month_shard(ticket_id: str, created_at: datetime, shards: int) -> str:
    return f"{month_of(created_at)}#{_bucket(ticket_id, shards):02d}"


def settle_shard(ticket_id: str, settles_at: datetime | None, shards: int) -> str:
    """ "open#03" while the ticket is not final, else the Shanghai month it settles in."""
    month = "open" if settles_at is None else month_of(settles_at)
    return f"{month}#{_bucket(ticket_id, shards):02d}"


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
