"""Only chalicelib/store/ knows DynamoDB: pynamodb, the table models, DynamoDB clients, shard
and ledger keys. Read from the source with `ast`, so a new module that reaches past a store
port fails here, not in a review."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "chalicelib" / "store"
# The composition root binds the table models to their names once (bootstrap.bind_tables).
MAY_BIND_TABLES = {"chalicelib/bootstrap.py"}
STORE_ONLY_MODULES = {"chalicelib.store.models"}
STORE_ONLY_NAMES = {"due_shard", "month_shard", "settle_shard", "shard_key", "index_key"}
KEY_PREFIXES = ("due#", "assigned#", "open#")  # the due index, the ledger, the settle index
DYNAMO_SERVICES = {"dynamodb", "dynamodbstreams"}


def shipped() -> Iterator[tuple[str, ast.Module]]:
    files = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
    for path in files:
        if STORE in path.parents:
            continue
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def imports(tree: ast.Module) -> Iterator[tuple[str, str | None]]:
    """(module, name) for every import, at any depth (lazy imports count)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name


def shard_formats(tree: ast.Module) -> Iterator[int]:
    """Lines of f-strings shaped like a shard key: "...#{n:02d}"."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        for before, part in zip(node.values, node.values[1:], strict=False):
            if (
                isinstance(before, ast.Constant)
                and str(before.value).endswith("#")
                and isinstance(part, ast.FormattedValue)
                and part.format_spec is not None
            ):
                yield node.lineno


def test_no_module_outside_store_imports_pynamodb_or_the_table_models() -> None:
    found = [
        f"{path}: {module}"
        for path, tree in shipped()
        for module, _ in imports(tree)
        if module.split(".")[0] == "pynamodb"
        or (module in STORE_ONLY_MODULES and path not in MAY_BIND_TABLES)
    ]
    assert found == []


def test_no_module_outside_store_builds_a_shard_or_ledger_key() -> None:
    found: list[str] = []
    for path, tree in shipped():
        found += [
            f"{path}: imports {name}" for _, name in imports(tree) if name in STORE_ONLY_NAMES
        ]
        found += [f"{path}:{line}: shard key format" for line in shard_formats(tree)]
        found += [
            f"{path}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith(KEY_PREFIXES)
        ]
    assert found == []


def test_no_module_outside_store_opens_a_dynamodb_client() -> None:
    found = [
        f"{path}:{node.lineno}"
        for path, tree in shipped()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"client", "resource"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in DYNAMO_SERVICES
    ]
    assert found == []


def test_the_checks_see_what_they_look_for() -> None:
    """The store itself does each thing the checks forbid elsewhere (so none is vacuous)."""
    trees = [ast.parse(p.read_text()) for p in STORE.rglob("*.py")]
    modules = {module for tree in trees for module, _ in imports(tree)}
    assert "pynamodb.exceptions" in modules
    assert any(list(shard_formats(tree)) for tree in trees)
    sample = ast.parse('f"{month}#{n:02d}"; boto3.client("dynamodb")')
    assert list(shard_formats(sample)) == [1]
