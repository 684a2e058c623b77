"""chalice.local's API Gateway emulation, with the gateway responses we configure in AWS.

API Gateway answers some requests itself, before any Lambda runs: no Authorization header
(UNAUTHORIZED), an authorizer Deny (ACCESS_DENIED), an unknown route
(MISSING_AUTHENTICATION_TOKEN), a broken authorizer (AUTHORIZER_*). In AWS the RestAPI's
`x-amazon-apigateway-gateway-responses` (chalicelib.auth.gateway_responses) rewrite those
into API.md's error shape; chalice local knows nothing of them and answers
`{"message":"Unauthorized"}`. This gateway applies the same table (`gateway_error`).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import unquote

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    ForbiddenError,
    InvalidAuthorizerError,
    LambdaContext,
    LocalGateway,
    LocalGatewayAuthorizer,
    LocalGatewayException,
    NotAuthorizedError,
    RouteMatcher,
    ThreadedHTTPServer,
)

from chalicelib.auth.authorizer import gateway_error
from chalicelib.domain.phone import mask_phones
from chalicelib.observability import mask_name

log = logging.getLogger("local.http")


class GatewayResponse(LocalGatewayException):
    """An answer API Gateway gives by itself, rendered as our gateway response `kind`."""

    def __init__(self, kind: str, context: dict[str, Any] | None = None) -> None:
        status, headers, body = gateway_error(kind, context)
        super().__init__({**headers, "x-amzn-ErrorType": kind}, body)
        self.CODE = status


class _Authorizer(LocalGatewayAuthorizer):
    """Remembers the authorizer's result (its Deny context carries our code and message)
    and treats an authorizer that raises like API Gateway does: an error whose message is
    exactly "Unauthorized" means 401, anything else is an authorizer failure (500)."""

    last_result: dict[str, Any] | None = None

    def authorize(
        self, raw_path: str, lambda_event: dict[str, Any], lambda_context: LambdaContext
    ) -> tuple[dict[str, Any], LambdaContext]:
        self.last_result = None
        try:
            return super().authorize(raw_path, lambda_event, lambda_context)
        except LocalGatewayException:
            raise
        except Exception as exc:
            # API Gateway's own rule for Lambda authorizers, mirrored (not our convention).
            if str(exc) == "Unauthorized":
                raise GatewayResponse("UNAUTHORIZED") from exc
            log.exception("authorizer failed")
            raise GatewayResponse("AUTHORIZER_FAILURE") from exc

    def _check_can_invoke_view_function(self, arn: str, auth_result: dict[str, Any]) -> bool:
        self.last_result = auth_result
        return super()._check_can_invoke_view_function(arn, auth_result)


class YungeLocalGateway(LocalGateway):
    def __init__(self, app_object: Chalice, config: Config) -> None:
        super().__init__(app_object, config)
        self._yunge_authorizer = _Authorizer(app_object)
        self._authorizer = self._yunge_authorizer
        self._routes = RouteMatcher(list(app_object.routes))

    def _method_undefined(self, method: str, path: str) -> bool:
        """API Gateway has no 405: a method the resource lacks is an unknown route."""
        try:
            route = self._routes.match_route(path).route
        except ValueError:
            return False
        return method != "OPTIONS" and method not in self._app_object.routes[route]

    def handle_request(
        self, method: str, path: str, headers: dict[str, Any], body: bytes | None
    ) -> dict[str, Any]:
        if self._method_undefined(method, path):
            raise GatewayResponse("MISSING_AUTHENTICATION_TOKEN")
        try:
            return super().handle_request(method, path, headers, body)
        except GatewayResponse:
            raise
        except NotAuthorizedError as exc:
            raise GatewayResponse("UNAUTHORIZED") from exc
        except ForbiddenError as exc:
            if exc.headers.get("x-amzn-ErrorType") == "AccessDeniedException":
                context = (self._yunge_authorizer.last_result or {}).get("context")
                raise GatewayResponse("ACCESS_DENIED", context) from exc
            raise GatewayResponse("MISSING_AUTHENTICATION_TOKEN") from exc
        except InvalidAuthorizerError as exc:
            raise GatewayResponse("AUTHORIZER_CONFIGURATION_ERROR") from exc


class YungeRequestHandler(ChaliceRequestHandler):
    """chalice.local's handler, speaking through YungeLocalGateway, logging via logging."""

    def __init__(
        self,
        request: bytes,
        client_address: tuple[str, int],
        server: HTTPServer,
        app_object: Chalice,
        config: Config,
    ) -> None:
        self.local_gateway = YungeLocalGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)  # type: ignore[arg-type]

    _counted = False

    def parse_request(self) -> bool:
        """A request has arrived (not merely a kept-alive connection waiting for one)."""
        self._counted = super().parse_request()
        if self._counted:
            self.server.busy.begin()
        return self._counted

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            if self._counted:
                self._counted = False
                self.server.busy.end()

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), masked(format % args))


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def masked(line: str) -> str:
    """An access-log line without phones or names, even percent-encoded in the query."""
    return _NON_ASCII.sub(lambda m: mask_name(m[0]), mask_phones(unquote(line)))


class InFlight:
    """How many requests are being handled; `idle(timeout)` waits for none."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def begin(self) -> None:
        with self._changed:
            self._count += 1

    def end(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._count:
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    return not self._count
            return True


class YungeHTTPServer(ThreadedHTTPServer):
    """chalice local's threaded server, ready to stop: a request thread never delays exit
    (no join on close: a keep-alive connection would hold it forever), the requests in
    flight are counted so shutdown can give them a moment, and the listen backlog takes a
    burst of clients (socketserver's default is 5)."""

    request_queue_size = 128
    daemon_threads = True
    block_on_close = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.busy = InFlight()
        super().__init__(*args, **kwargs)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the client went away
            super().handle_error(request, client_address)
