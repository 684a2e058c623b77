"""Photo uploads: presigned S3 PUT, images only, of a declared size that the URL signs."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib.api.docs import doc
from chalicelib.api.http import caller, decode, endpoint, respond
from chalicelib.api.schemas import RequestUpload, UploadOut
from chalicelib.bootstrap import services
from chalicelib.domain.errors import PayloadTooLarge
from chalicelib.domain.ids import new_ulid
from chalicelib.domain.uploads import upload_key
from chalicelib.store.uploads import URL_LIFETIME
from chalicelib.usecases.scope import scope_of

from .guard import protected

uploads_api = Blueprint(__name__)


@uploads_api.route("/v1/uploads", methods=["POST"], **protected())
@endpoint
@doc("申请图片上传地址（预签名 S3 PUT）", body=RequestUpload, response=UploadOut, status=201)
def request_upload() -> Response:
    request = uploads_api.current_request
    svc = services()
    who = scope_of(svc, caller(request))
    body = decode(request, RequestUpload)
    if body.size > svc.settings.upload_max_bytes:
        limit_mb = svc.settings.upload_max_bytes // (1024 * 1024)
        raise PayloadTooLarge(f"图片不能超过 {limit_mb} MB", code="image_too_large")
    key = upload_key(who.subject, new_ulid(svc.clock()), body.content_type)
    url = svc.uploads.presign_put(key, body.content_type, body.size)
    return respond(UploadOut(key=key, upload_url=url, expires_in=URL_LIFETIME), 201)
