"""moto on loopback, one request at a time.

moto applies a transaction's writes one by one and rolls a cancelled one back by putting back
what it had copied when the transaction began (whole tables in moto itself, the named items
with infra/local/moto_patch.py, which the stack installs). With requests served in parallel,
another request could read the half-applied transaction, or have its write to the same item
erased by the rollback. DynamoDB itself never does this; serialising the local server's
requests keeps moto honest."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


class SerialMotoServer(ThreadedMotoServer):
    def _server_entry(self) -> None:
        inner = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def one_at_a_time(
            environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> Iterable[bytes]:
            with lock:
                return list(inner(environ, start_response))

        self._server = make_server(
            self._ip_address, self._port, one_at_a_time, True, request_handler=MotoRequestHandler
        )
        # Closing must not join the request threads: boto3 keeps its connections alive, so a
        # thread waits for a next request that never comes and `stop()` would wait with it.
        self._server.block_on_close = False  # type: ignore[attr-defined]
        self._server_ready_event.set()
        self._server.serve_forever()
