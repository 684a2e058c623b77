"""A thin JSON helper over chalice.test.Client for the functional API tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from chalicelib.domain.org import Role


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    def __init__(self, client: Client, services: Any) -> None:
        self.client = client
        self.services = services

    def token(self, subject: str, role: Role) -> str:
        token, _ = self.services.tokens.issue(subject, role, 3600)
        return str(token)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        as_: tuple[str, Role] | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if as_ is not None:
            sent["Authorization"] = f"Bearer {self.token(*as_)}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=payload)
        text = response.body.decode() if response.body else ""
        parsed = json.loads(text) if text else None
        return Reply(response.status_code, parsed, dict(response.headers))
