"""Wires adapters together, once, lazily: nothing here creates a client at import time.

Production code asks `services()`; tests install their own `Services` with `use(...)`.
Each attribute is built on first use, so a route only pays for what it touches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from chalicelib.config import Settings, get_settings

if TYPE_CHECKING:
    from chalicelib.auth.keys import PhoneKey, RefreshingSecret
    from chalicelib.auth.otp import OtpService
    from chalicelib.auth.tokens import TokenService
    from chalicelib.auth.wechat import WeChatExchange
    from chalicelib.domain.calendar import WorkCalendar
    from chalicelib.domain.policy import ServicePolicy
    from chalicelib.notify.log import NotificationLog
    from chalicelib.notify.sender import SmsSender
    from chalicelib.reports.build import ReportPorts
    from chalicelib.store.customers import CustomerStore
    from chalicelib.store.import_files import ImportFiles
    from chalicelib.store.org import OrgStore
    from chalicelib.store.otp import OtpStore
    from chalicelib.store.outages import OutageStore
    from chalicelib.store.sessions import SessionStore
    from chalicelib.store.tickets import TicketStore
    from chalicelib.store.uploads import UploadSigner
    from chalicelib.store.usage import UsageStore
    from chalicelib.usage.ingest import FeedLoader
    from chalicelib.usage.query import UsageReader
    from chalicelib.usecases.locate import IndexCache


def utc_now() -> datetime:
    return datetime.now(UTC)


class Services:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self._tables_bound = False

    def bind_tables(self) -> None:
        if not self._tables_bound:
            from chalicelib.store.models import bind_tables

            bind_tables(self.settings.table_prefix, self.settings.region)
            self._tables_bound = True

    @cached_property
    def org(self) -> OrgStore:
        from chalicelib.store.org import CachedOrgStore, DynamoOrgStore

        self.bind_tables()
        inner = DynamoOrgStore(self.settings.bureau, self.phone_key.hash_phone)
        return CachedOrgStore(inner, clock=self.clock)

    @cached_property
    def customers(self) -> CustomerStore:
        from chalicelib.store.customers import DynamoCustomerStore

        self.bind_tables()
        return DynamoCustomerStore()

    @cached_property
    def tickets(self) -> TicketStore:
        from chalicelib.store.dynamo_tickets import DynamoTicketStore

        self.bind_tables()
        return DynamoTicketStore(self.settings.due_shards, self.settings.month_shards)

    @cached_property
    def outages(self) -> OutageStore:
        from chalicelib.store.dynamo_outages import DynamoOutageStore

        self.bind_tables()
        return DynamoOutageStore(self.settings.bureau)

    @cached_property
    def uploads(self) -> UploadSigner:
        from chalicelib.store.uploads import S3UploadSigner

        return S3UploadSigner(self.settings.bucket, self.settings.region)

    @cached_property
    def import_files(self) -> ImportFiles:
        """Import uploads, job records, error files, grid shapes and maps (files bucket)."""
        from chalicelib.store.import_files import S3ImportFiles

        return S3ImportFiles(self.settings.bucket, self.settings.region)

    @cached_property
    def grid_index(self) -> IndexCache:
        """The locate index, built on first use from one read of the grid shapes."""
        from chalicelib.store.grid_shapes import GridShapes
        from chalicelib.usecases.locate import IndexCache

        return IndexCache(GridShapes(self.import_files).load_wkb)

    @cached_property
    def sms(self) -> SmsSender:
        if self.settings.sms == "local":
            from chalicelib.notify.local import LocalSmsSender

            return LocalSmsSender(Path(self.settings.sms_log_path), clock=self.clock)
        if self.settings.sms == "aliyun":
            from chalicelib.notify.aliyun import AliyunSmsSender, ssm_account

            return AliyunSmsSender(ssm_account(self.settings.aliyun_sms_param))
        if self.settings.sms == "sns":
            from chalicelib.notify.sns import SnsSmsSender

            return SnsSmsSender()
        assert_never(self.settings.sms)

    def _secret(self, key_file: str | None, param: str) -> RefreshingSecret:
        """A key file on the local stack, an SSM SecureString elsewhere; re-read every 10 min."""
        from chalicelib.auth.keys import FileSecret, RefreshingSecret, SsmSecret

        source = FileSecret(Path(key_file)) if key_file else SsmSecret(param)
        return RefreshingSecret(source, self.clock)

    @cached_property
    def tokens(self) -> TokenService:
        from chalicelib.auth.keys import SecretKeyRing
        from chalicelib.auth.tokens import TokenService

        s = self.settings
        keys = SecretKeyRing(self._secret(s.jwt_key_file, s.jwt_key_param))
        return TokenService(
            keys, s.jwt_issuer, s.jwt_audience, clock=self.clock, phone_secret=self.phone_key
        )

    @cached_property
    def phone_key(self) -> PhoneKey:
        """HMAC key of phone hashes and one-time-code hashes (read on first hash)."""
        from chalicelib.auth.keys import PhoneKey

        s = self.settings
        return PhoneKey(self._secret(s.phone_key_file, s.phone_key_param))

    @cached_property
    def sms_reply_token(self) -> RefreshingSecret:
        """The secret in the URL the SMS provider pushes replies to (notify/replies.py)."""
        s = self.settings
        return self._secret(s.sms_reply_token_file, s.sms_reply_token_param)

    @cached_property
    def wechat(self) -> WeChatExchange:
        from chalicelib.auth.wechat import FakeWeChatExchange, HttpWeChatExchange

        if self.settings.wechat == "fake":
            return FakeWeChatExchange()
        if self.settings.wechat == "real":
            return HttpWeChatExchange(
                self.settings.wechat_app_id_param, self.settings.wechat_secret_param
            )
        assert_never(self.settings.wechat)

    @cached_property
    def policy(self) -> ServicePolicy:
        """The service commitments; YUNGE_CLOCK_SCALE < 1 shortens every clock (demo),
        YUNGE_REPORT_HOLD_SECONDS sets how long a lone "no power" report waits."""
        from chalicelib.domain.policy import DEFAULT_POLICY

        scale = self.settings.clock_scale
        policy = DEFAULT_POLICY if scale == 1 else DEFAULT_POLICY.scaled(scale)
        hold = self.settings.report_hold_seconds
        return policy if hold is None else policy.with_report_hold(timedelta(seconds=hold))

    @cached_property
    def calendar(self) -> WorkCalendar:
        from chalicelib.domain.calendar import MainlandCalendar, parse_schedule
        from chalicelib.observability import logger

        try:
            schedule = parse_schedule(self.settings.holidays)
        except ValueError as error:  # a typo in the parameter must not stop dispatch
            logger.error("YUNGE_HOLIDAYS ignored: %s", error)
            schedule = {}
        return MainlandCalendar(schedule)

    @cached_property
    def notifications(self) -> NotificationLog:
        from chalicelib.store.notifications import DynamoNotificationLog

        self.bind_tables()
        return DynamoNotificationLog()

    @cached_property
    def reports(self) -> ReportPorts:
        """Month ticket reader, report bucket and org reference for stats and reports."""
        from chalicelib.reports.service import dynamo_report_ports

        self.bind_tables()
        return dynamo_report_ports(self.settings, self.clock)

    @cached_property
    def counters(self) -> OtpStore:
        """TTL'd counters: rate limits (and the one-time codes' own store)."""
        from chalicelib.store.otp import DynamoOtpStore

        self.bind_tables()
        return DynamoOtpStore()

    @cached_property
    def sessions(self) -> SessionStore:
        """Device sessions ended by logout before their token expired."""
        from chalicelib.store.sessions import DynamoSessionStore

        self.bind_tables()
        return DynamoSessionStore()

    @cached_property
    def usage(self) -> UsageStore:
        from chalicelib.store.usage import DynamoUsageStore

        self.bind_tables()
        return DynamoUsageStore(self.settings.region)

    @cached_property
    def usage_reader(self) -> UsageReader:
        from chalicelib.domain.tariffs import parse_tariffs
        from chalicelib.usage.query import UsageReader
        from chalicelib.usecases.queries import may_see

        return UsageReader(
            self.usage,
            bound_customer=self.customers.bound_customer,
            ticket=self.tickets.get,
            may_see=may_see,
            tariffs=parse_tariffs(self.settings.tariffs),
            clock=self.clock,
        )

    @cached_property
    def feed_loader(self) -> FeedLoader:
        """Loads the usage and bill feeds, then sends the balance reminders they call for."""
        from chalicelib.dispatch.outbox import Outbox
        from chalicelib.observability import metrics
        from chalicelib.store.feed_files import S3FeedFiles
        from chalicelib.usage.ingest import FeedLoader
        from chalicelib.usage.reminders import BalanceReminders

        s = self.settings
        outbox = Outbox(
            self.notifications,
            self.sms,
            metrics,
            s.sms_signature,
            s.bureau,
            self.clock,
            hash_phone=self.phone_key.hash_phone,
        )
        reminders = BalanceReminders(
            self.customers.get_many, outbox.deliver, s.low_balance_yuan, self.clock
        )
        files = S3FeedFiles(s.bucket, s.region)
        return FeedLoader(self.usage, files, reminders.due, reminders.send, self.clock)

    @cached_property
    def otp(self) -> OtpService:
        from chalicelib.auth.otp import OtpService

        return OtpService(
            self.counters,
            staff_by_phone=self.org.staff_by_phone,
            sms=self.sms,
            signature=self.settings.sms_signature,
            clock=self.clock,
            key=self.phone_key,
        )


_current: Services | None = None


def services() -> Services:
    global _current
    if _current is None:
        _current = Services(get_settings())
    return _current


def use(replacement: Services | None) -> None:
    """Install a Services (tests, local stack); None resets to the production default."""
    global _current
    _current = replacement
