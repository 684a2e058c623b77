"""Photo upload keys: where a caller's uploads live and what a key of theirs looks like."""

from __future__ import annotations

import hashlib
import re

from chalicelib.domain.ids import ULID_PATTERN

FOLDER = "uploads/"  # every upload, and only uploads, expire there (the bucket's lifecycle rule)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
_KEY = re.compile(rf"{FOLDER}[0-9a-f]{{16}}/{ULID_PATTERN}\.(?:{'|'.join(EXTENSIONS.values())})")


def upload_prefix(owner_id: str) -> str:
    """Where a caller's uploads live; tickets may only reference keys under it."""
    return f"{FOLDER}{hashlib.sha256(owner_id.encode()).hexdigest()[:16]}/"


def upload_key(owner_id: str, ulid: str, content_type: str) -> str:
    return f"{upload_prefix(owner_id)}{ulid}.{EXTENSIONS[content_type]}"


def is_own_upload_key(key: str, owner_id: str) -> bool:
    """Exactly the shape /v1/uploads hands out, under the owner's prefix: no `..`, no other
    folder, nothing appended."""
    return _KEY.fullmatch(key) is not None and key.startswith(upload_prefix(owner_id))
