"""UploadSigner: presigned S3 PUT URLs for ticket photos and GET URLs to view them (signed
locally: no AWS call), and whether a photo a ticket names was really uploaded (one
HeadObject)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.store.s3 import S3Objects

URL_LIFETIME = 600  # a photo link (upload or view) lasts 10 minutes


class UploadSigner(Protocol):
    def presign_put(self, key: str, content_type: str, size: int) -> str:
        """A URL for one PUT of exactly `size` bytes (S3 refuses any other length)."""
        ...

    def exists(self, key: str) -> bool: ...

    def presign_get(self, key: str) -> str:
        """A URL to view one uploaded photo for a few minutes."""
        ...


class S3UploadSigner(S3Objects):
    def presign_put(self, key: str, content_type: str, size: int) -> str:
        return self.put_url(key, content_type, size, URL_LIFETIME)

    def presign_get(self, key: str) -> str:
        url: str = self.client().generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=URL_LIFETIME
        )
        return url

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client().head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            # without s3:ListBucket a missing key answers 403, not 404
            if error.response.get("Error", {}).get("Code") in ("404", "403", "NoSuchKey"):
                return False
            raise
        return True


class FakeUploadSigner:
    """Records what it signed; `put` stands in for the client's PUT to the signed URL."""

    def __init__(self) -> None:
        self.signed: list[tuple[str, str, int]] = []
        self.stored: set[str] = set()

    def presign_put(self, key: str, content_type: str, size: int) -> str:
        self.signed.append((key, content_type, size))
        return f"https://uploads.example.invalid/{key}?signed=1"

    def put(self, key: str) -> None:
        if not any(signed == key for signed, _, _ in self.signed):
            raise ValueError(f"nothing was signed for {key}")
        self.stored.add(key)

    def exists(self, key: str) -> bool:
        return key in self.stored

    def presign_get(self, key: str) -> str:
        return f"https://uploads.example.invalid/{key}?view=1"
