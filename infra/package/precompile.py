"""Add bytecode to Chalice's deployment.zip, which ships sources only.

/var/task is read-only on Lambda, so without .pyc every cold start compiles every module it
imports (bench/bench_coldstart.py measures what that costs). The .pyc files are
`unchecked-hash` ones: Python loads them without comparing the source's mtime (zip
extraction does not preserve it faithfully) and they are built with this interpreter, so
they are only added when its minor version is the functions' runtime. A mismatched .pyc
would be ignored by Lambda (its magic number differs), merely wasting space.
"""

from __future__ import annotations

import compileall
import py_compile
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
LAMBDA_TASK_ROOT = "/var/task"
_EPOCH = (2020, 1, 1, 0, 0, 0)  # unchecked-hash .pyc never compare times


@dataclass(frozen=True)
class Precompiled:
    sources: int
    compiled: int
    bytes_before: int
    bytes_after: int

    def __str__(self) -> str:
        return (
            f"precompiled {self.compiled}/{self.sources} modules for {RUNTIME}: "
            f"{self.bytes_before / 1e6:.1f} MB -> {self.bytes_after / 1e6:.1f} MB"
        )


def compile_tree(root: Path) -> None:
    """Write __pycache__/*.cpython-3XY.pyc beside every source under `root`.
    Sources that do not compile (vendored py2 files, templates) are skipped, as import
    would skip them."""
    compileall.compile_dir(
        str(root),
        quiet=2,
        ddir=LAMBDA_TASK_ROOT,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def precompile_zip(zip_path: Path, runtime: str) -> Precompiled | None:
    """Append bytecode to `zip_path` (the sources' entries are left as they are); None, and
    the zip untouched, if `runtime` is not the interpreter running this or the zip already
    carries bytecode."""
    if runtime != RUNTIME:
        return None
    before = zip_path.stat().st_size
    with zipfile.ZipFile(zip_path) as src:
        names = src.namelist()
        if any("__pycache__/" in name for name in names):
            return None
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            src.extractall(root, members=[n for n in names if n.endswith(".py")])
            compile_tree(root)
            cached = sorted(root.rglob("*.pyc"))
            with zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as dst:
                for pyc in cached:
                    entry = zipfile.ZipInfo(pyc.relative_to(root).as_posix(), _EPOCH)
                    entry.external_attr = 0o644 << 16
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    dst.writestr(entry, pyc.read_bytes())
    sources = sum(1 for n in names if n.endswith(".py"))
    return Precompiled(sources, len(cached), before, zip_path.stat().st_size)
