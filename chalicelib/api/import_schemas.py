"""Request and response schemas of import jobs, locate and maps (API.md, last section)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from chalicelib.config import MAX_IMPORT_BYTES

ImportKind = Literal["transformer_areas", "customers", "grids", "staff"]


class RequestImport(Struct, forbid_unknown_fields=True):
    kind: ImportKind
    filename: Annotated[str, Meta(min_length=1, max_length=200)]
    size: Annotated[int, Meta(ge=1, le=MAX_IMPORT_BYTES, description="字节数，最大 200 MB")]
    mode: Literal["dry_run", "commit"] = "dry_run"
    coord: Literal["wgs84", "gcj02"] = "wgs84"
    full: Annotated[
        bool, Meta(description="客户文件为全量：报告系统中有、文件中没有的户号（不删除）")
    ] = False


class ImportUpload(Struct):
    url: str
    method: Literal["PUT", "POST"]
    expires_in: int
    headers: dict[str, str] = {}


class ImportCreated(Struct):
    import_id: str
    status: str
    upload: ImportUpload


class ImportProgress(Struct):
    done: int
    total: int


class ImportCounts(Struct):
    rows: int
    created: int
    updated: int
    unchanged: int
    failed: int


class ImportRowError(Struct):
    row: int
    column: str
    code: str
    message: str


class ErrorFileLink(Struct):
    url: str


class MissingCustomers(Struct):
    """户号 the system has that the file does not name: reported, never deleted."""

    count: int
    account_nos: list[str]  # the first 1,000


class ImportOut(Struct, omit_defaults=True):
    import_id: str
    kind: str
    mode: str
    status: str
    filename: str
    created_at: str
    progress: ImportProgress
    counts: ImportCounts
    errors: list[ImportRowError]
    encoding: str | None = None
    error_file: ErrorFileLink | None = None
    ignored_columns: list[str] = []
    message: str | None = None
    missing_customers: MissingCustomers | None = None


class ImportList(Struct):
    items: list[ImportOut]


class LocateRequest(Struct, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lng: Annotated[float, Meta(ge=-180, le=180)]
    coord: Literal["wgs84", "gcj02"] = "wgs84"


class GridCard(Struct):
    grid_id: str
    name: str


class StationCard(Struct):
    station_id: str
    name: str


class ManagerCard(Struct):
    name: str
    phone: str


class LocateOut(Struct):
    grid: GridCard
    station: StationCard
    manager: ManagerCard | None


class MapItem(Struct):
    scope: Literal["station", "branch"]
    id: str
    name: str
    url: str


class MapList(Struct):
    items: list[MapItem]


class FeatureCollection(Struct):
    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]
