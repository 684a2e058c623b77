"""The local stack: moto on loopback, the demo district seeded through the app's own stores,
the Chalice app on http://127.0.0.1:8000, and the pump feeding stream records and schedules
to the same handlers Lambda calls. Ctrl-C or SIGTERM (`make stop`) stops it all within 5 s
(infra/local/shutdown.py).

Environment: YUNGE_PORT (8000), YUNGE_MOTO_PORT (0 = any free port), YUNGE_LOCAL_DIR
(.local: demo.json, sms.jsonl, jwt.key, phone.key, sms-reply.key), YUNGE_DEMO_CUSTOMERS (5000),
YUNGE_WATCHDOG_SECONDS (60, times YUNGE_CLOCK_SCALE: the minute pass speeds up with the clocks).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.shutdown import Shutdown

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REGION = "cn-north-1"
log = logging.getLogger("local.stack")


def configure_env(env: MutableMapping[str, str]) -> Path:
    """Point every AWS client at moto, never at real AWS: must run before boto3 is used
    and before app.py is imported. Returns the local directory."""
    local_dir = Path(env.get("YUNGE_LOCAL_DIR", ".local")).resolve()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        env.pop(name, None)
    env.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        AWS_EC2_METADATA_DISABLED="true",
        YUNGE_STAGE="local",
    )
    env.setdefault("YUNGE_SMS_LOG", str(local_dir / "sms.jsonl"))
    env.setdefault("YUNGE_JWT_KEY_FILE", str(local_dir / "jwt.key"))
    env.setdefault("YUNGE_PHONE_KEY_FILE", str(local_dir / "phone.key"))
    env.setdefault("YUNGE_SMS_REPLY_TOKEN_FILE", str(local_dir / "sms-reply.key"))
    env.setdefault("YUNGE_BUREAU_NAME", "巴彦淖尔供电公司（演示）")
    if "YUNGE_TARIFFS" not in env:  # the demo's own stepped tariff: 示例电价，非官方
        from infra.local.demo_usage import DEMO_TARIFFS

        env["YUNGE_TARIFFS"] = DEMO_TARIFFS.read_text(encoding="utf-8")
    return local_dir


def start_moto(port: int) -> Any:
    from infra.local import moto_patch
    from infra.local.moto_server import SerialMotoServer

    moto_patch.install()  # item-level transaction rollback: no per-transaction table copies
    moto = SerialMotoServer(ip_address=HOST, port=port, verbose=False)
    moto.start()
    os.environ["AWS_ENDPOINT_URL"] = "http://{}:{}".format(*moto.get_host_and_port())
    return moto


def load_app() -> ModuleType:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("app")


def make_http_server(app_module: ModuleType, port: int) -> Any:
    from chalice.config import Config
    from chalice.deploy.validate import validate_routes
    from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer

    from infra.local.gateway import YungeHTTPServer, YungeRequestHandler

    app_obj = app_module.app
    validate_routes(app_obj.routes)
    # As `chalice local` does: a thread-local current_request, so requests may run in parallel.
    CustomLocalChalice.__bases__ = (LocalChalice, app_obj.__class__)
    app_obj.__class__ = CustomLocalChalice
    config = Config.create(
        chalice_stage="local",
        app_name=app_obj.app_name,
        chalice_app=app_obj,
        project_dir=str(ROOT),
        lambda_timeout=60,
        lambda_memory_size=512,
    )
    # HOOK: the gateway in front of the app. YungeRequestHandler applies our API Gateway
    # gateway responses (401/403/404 in API.md's error shape); swap it here to change that.
    return LocalDevServer(
        app_obj, config, HOST, port, handler_cls=YungeRequestHandler, server_cls=YungeHTTPServer
    )


def watchdog_seconds(env: Mapping[str, str], clock_scale: float) -> float:
    """How often the local sla_watchdog runs: YUNGE_WATCHDOG_SECONDS, else Lambda's minute
    times YUNGE_CLOCK_SCALE (at least a second), so holds and escalations keep pace with the
    shortened clocks instead of lagging a whole minute behind them."""
    default = max(1.0, 60 * clock_scale)
    return float(env.get("YUNGE_WATCHDOG_SECONDS", str(default)))


def start_pump(
    app_module: ModuleType, settings: Any, stop: threading.Event
) -> list[threading.Thread]:
    from infra.local.lambda_shapes import FakeLambdaContext, scheduled_event
    from infra.local.pump import StreamPump, every, utc_now

    prefix = f"{app_module.app.app_name}-local-"
    threads = []
    stream_handler = getattr(app_module, "ticket_stream", None)
    if stream_handler is None:
        log.warning("pump: app.ticket_stream is missing; stream records are not delivered")
    else:
        pump = StreamPump(
            settings.table("tickets"), settings.region, stream_handler, prefix + "ticket_stream"
        )
        threads.append(every(0.5, lambda: pump.poll(stop.wait), stop, "stream-pump"))
    watchdog = getattr(app_module, "sla_watchdog", None)
    if watchdog is None:
        log.warning("pump: app.sla_watchdog is missing; no SLA watchdog runs")
    else:
        seconds = watchdog_seconds(os.environ, settings.clock_scale)
        rule, name = f"{prefix}sla_watchdog-event", prefix + "sla_watchdog"

        def tick() -> None:
            watchdog(scheduled_event(rule, settings.region, utc_now()), FakeLambdaContext(name))

        threads.append(every(seconds, tick, stop, "sla-watchdog"))
    from infra.local.import_watch import ImportWatcher

    watcher = ImportWatcher(settings.bucket, settings.region, prefix + "import_upload")
    threads.append(every(1.0, watcher.poll, stop, "import-watch"))
    from chalicelib.usage.handler import on_feed_event
    from infra.local.feed_watch import FeedWatcher

    feeds = FeedWatcher(settings.bucket, settings.region, on_feed_event)
    threads.append(every(2.0, feeds.poll, stop, "feed-watch"))
    return threads


def main() -> int:
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    for chatty in ("botocore", "boto3", "pynamodb", "werkzeug"):  # a line per AWS call
        logging.getLogger(chatty).setLevel(logging.WARNING)
    started = time.perf_counter()
    local_dir = configure_env(os.environ)
    port = int(os.environ.get("YUNGE_PORT", "8000"))
    shutdown = Shutdown()
    shutdown.install()
    moto = http = serving = None
    try:
        moto = start_moto(int(os.environ.get("YUNGE_MOTO_PORT", "0")))
        timings = {"moto": time.perf_counter() - started}
        app_module = load_app()
        timings["import app"] = time.perf_counter() - started - timings["moto"]
        try:
            http = make_http_server(app_module, port)
        except OSError as exc:
            log.error("cannot listen on %s:%d (%s): set YUNGE_PORT to a free port", HOST, port, exc)
            return 1
        from infra.local.startup import prepare

        settings, banner = prepare(local_dir, f"http://{HOST}:{port}", timings)
        pid_file = write_pid(local_dir)  # before the first answer: `make stop` may follow it
        serving = threading.Thread(target=http.server.serve_forever, name="http", daemon=True)
        serving.start()
        threads = start_pump(app_module, settings, shutdown.stop)
        if os.environ.get("YUNGE_DEMO") == "bureau":
            start_bureau_demo(local_dir)  # a daemon: stopping the stack does not wait for it
        shutdown.serving = True
        print(banner(time.perf_counter() - started, os.environ["AWS_ENDPOINT_URL"]), flush=True)
        while not shutdown.stop.wait(0.2):  # a timeout: a signal may wake another thread
            pass
        print("\n云格 local stack: stopping…", flush=True)
        http.server.shutdown()  # no new requests; those in flight and the pump get a moment
        for thread in threads:
            thread.join(shutdown.remaining())
        http.server.busy.idle(shutdown.remaining())
        pid_file.unlink(missing_ok=True)
    except KeyboardInterrupt:  # a signal before the stack was up (shutdown.py)
        print("\n云格 local stack: stopping before it was ready…", flush=True)
        (local_dir / "stack.pid").unlink(missing_ok=True)
    finally:
        if http is not None:
            if serving is not None and not shutdown.stop.is_set():
                http.server.shutdown()  # an error, not a signal, ends the serving loop
            http.server.server_close()
        if moto is not None:
            moto.stop()
    print(f"云格 local stack: stopped{shutdown.took()}.", flush=True)
    return 0


def start_bureau_demo(local_dir: Path) -> threading.Thread:
    """`YUNGE_DEMO=bureau`: load a bureau-scale district through the import jobs."""
    from infra.local.bureau import run_bureau_demo

    def load() -> None:
        try:
            run_bureau_demo(local_dir, lambda line: print(line, flush=True))
        except Exception:
            log.exception("bureau demo failed")

    thread = threading.Thread(target=load, name="bureau-demo", daemon=True)
    thread.start()
    return thread


def write_pid(local_dir: Path) -> Path:
    """.local/stack.pid, for `make stop`."""
    path = local_dir / "stack.pid"
    path.write_text(f"{os.getpid()}\n", encoding="utf-8")
    return path
