"""What each route says about itself for the OpenAPI document: `doc` attaches a summary and
its schemas to the view. The document is built from them on request (`api/openapi.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class RouteDoc:
    summary: str
    body: type | None = None
    response: type | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    auth: bool = True
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def doc(summary: str, **kwargs: Any) -> Callable[[F], F]:
    def attach(view: F) -> F:
        view.route_doc = RouteDoc(summary, **kwargs)  # type: ignore[attr-defined]
        return view

    return attach
