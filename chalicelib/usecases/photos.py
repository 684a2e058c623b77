"""Photos named on a ticket or an action: the caller's own uploads, actually uploaded."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.labels import PHOTO_LABELS
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.uploads import is_own_upload_key
from chalicelib.store.uploads import UploadSigner

NOT_THEIRS = "图片需先通过 /v1/uploads 上传"
NOT_UPLOADED = "图片尚未上传成功，请重新上传"


def check_photos(uploads: UploadSigner, owner_id: str, photos: Sequence[str]) -> None:
    """400 naming the first photo that is not the caller's or was never uploaded. Shapes are
    checked for all before any storage call (one HeadObject per photo, at most 9)."""
    for i, key in enumerate(photos):
        if not is_own_upload_key(key, owner_id):
            raise ValidationFailed(fields={f"photos[{i}]": NOT_THEIRS})
    checked: set[str] = set()
    for i, key in enumerate(photos):
        if key not in checked and not uploads.exists(key):
            raise ValidationFailed(fields={f"photos[{i}]": NOT_UPLOADED})
        checked.add(key)


def ticket_photos(ticket: Ticket) -> list[tuple[str, str]]:
    """(label, key) of every photo on a ticket: the customer's report, then the staff's
    photos from the outcome, in the order they were taken."""
    found = [(PHOTO_LABELS["photos"], key) for key in ticket.photos]
    for name, keys in (ticket.outcome or {}).items():
        if name.endswith("_photos") and isinstance(keys, list):
            label = PHOTO_LABELS.get(name, name)
            found.extend((label, str(key)) for key in keys)
    return found


def photo_links(uploads: UploadSigner, ticket: Ticket) -> list[tuple[str, str, str]]:
    """(label, key, short-lived view URL) per photo; signed locally, no storage call."""
    return [(label, key, uploads.presign_get(key)) for label, key in ticket_photos(ticket)]
