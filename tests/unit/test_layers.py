"""The dependency arrows point inward (STYLE.md, "One shape for every capability"): the
domain knows nothing outside itself, and no use case knows HTTP. Read from the source with
`ast`, so a lazy import inside a function counts as much as one at the top."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"
# What a pure rule may lean on besides the standard library: value types, the holiday table
# and the phone-number metadata (parsing only, no I/O).
DOMAIN_MAY_IMPORT = frozenset({"msgspec", "chinese_calendar", "phonenumbers"})


def imports(path: Path) -> Iterator[str]:
    """Every module `path` imports, relative imports resolved to absolute names."""
    module = path.relative_to(ROOT).with_suffix("").parts
    package = module[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def offending(folder: str, allowed: Callable[[str], bool]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in modules(folder):
        bad = sorted({name for name in imports(path) if not allowed(name)})
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_the_import_reader_resolves_relative_imports() -> None:
    # Guard the guard: the domain's own relative imports are read as chalicelib.domain.*
    names = set(imports(PACKAGE / "domain" / "lifecycle.py"))
    assert "chalicelib.domain.tickets" in names
    assert "chalicelib.domain.errors" in names


def test_no_use_case_or_domain_module_imports_the_http_layer() -> None:
    def not_api(name: str) -> bool:
        return not (name == "chalicelib.api" or name.startswith("chalicelib.api."))

    for folder in ("usecases", "domain"):
        assert modules(folder), folder
        assert offending(folder, not_api) == {}, folder


def test_the_domain_imports_only_itself_the_standard_library_and_value_libraries() -> None:
    # No store, use case, API, orchestration, SDK or configuration: rules take values in.
    def pure(name: str) -> bool:
        top = name.split(".")[0]
        if top == "chalicelib":
            return name == "chalicelib.domain" or name.startswith("chalicelib.domain.")
        return top in sys.stdlib_module_names or top in DOMAIN_MAY_IMPORT or top == "__future__"

    assert offending("domain", pure) == {}


def test_a_use_case_loads_neither_http_nor_another_capability_nor_a_storage_sdk() -> None:
    # Given a fresh interpreter, when the ticket use cases are imported (as a stream handler,
    # the bench or an import job would)
    probe = (
        "import sys, chalicelib.usecases.actions, chalicelib.usecases.intake, "
        "chalicelib.usecases.queries; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pynamodb', 'boto3') "
        "or m.startswith(('chalicelib.api', 'chalicelib.dispatch', 'chalicelib.notify'))))"
    )
    env = {**os.environ, "YUNGE_STAGE": "local", "AWS_DEFAULT_REGION": "cn-north-1"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    # Then none of the HTTP layer, the dispatcher, the SMS adapters or a storage SDK came along
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
