"""Cold start: `import app` from the real Lambda package, with and without bytecode.

Builds the package with `chalice package` (sources only, as Chalice ships it), unpacks it
twice — as is, and with the unchecked-hash .pyc that `make package` adds — and times the
import in fresh interpreters (`python -S`: nothing but the stdlib and the package on the
path; PYTHONDONTWRITEBYTECODE because /var/task is read-only on Lambda, so a package
without .pyc compiles on every cold start). Runs are interleaved; medians of RUNS.
The floor is `import boto3, chalice.app, pynamodb.models` from the same tree.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from infra.package.build import chalice_package, region
from infra.package.precompile import compile_tree

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7
TARGETS = {
    "floor": "import boto3, chalice.app, pynamodb.models",
    "app": "import app",
    # the API Gateway authorizer's own Lambda path: tokens only, no pynamodb, no boto3
    "authorizer": "import chalicelib.auth.authorizer",
    # what a first invocation may add: every chalicelib module (their lazy imports) + SDKs
    "app+lazy": "import app, boto3, pynamodb.models, pkgutil, importlib, chalicelib; "
    "[importlib.import_module(m.name) for m in "
    "pkgutil.walk_packages(chalicelib.__path__, 'chalicelib.')]",
}
_PROBE = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def import_seconds(tree: Path, statement: str) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": region(),
        "YUNGE_STAGE": "prod",
    }
    done = subprocess.run(
        [sys.executable, "-S", "-c", _PROBE.format(stmt=statement)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def unpack(package: Path, into: Path, bytecode: bool) -> Path:
    with zipfile.ZipFile(package) as source:
        source.extractall(into)
    if bytecode:
        compile_tree(into)
    return into


def measure(trees: dict[str, Path], runs: int = RUNS) -> dict[tuple[str, str], float]:
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        for variant, tree in trees.items():
            for target, statement in TARGETS.items():
                samples.setdefault((variant, target), []).append(import_seconds(tree, statement))
    return {key: statistics.median(values) for key, values in samples.items()}


def report(medians: dict[tuple[str, str], float]) -> None:
    print(f"median of {RUNS} fresh interpreters each, import time only (ms)")
    header = "".join(f"{t:>12}{'/floor':>8}" for t in TARGETS if t != "floor")
    print(f"{'package':<14}{'floor':>8}{header}")
    for variant in ("without .pyc", "with .pyc"):
        floor = medians[(variant, "floor")]
        cells = "".join(
            f"{medians[(variant, t)] * 1e3:>12.0f}{medians[(variant, t)] / floor:>7.2f}x"
            for t in TARGETS
            if t != "floor"
        )
        print(f"{variant:<14}{floor * 1e3:>8.0f}{cells}")
    floor = medians[("with .pyc", "floor")]
    for target in ("app", "app+lazy"):
        no_pyc, pyc = medians[("without .pyc", target)], medians[("with .pyc", target)]
        print(
            f"{target}: bytecode saves {(no_pyc - pyc) * 1e3:.0f} ms per cold start "
            f"({no_pyc / pyc:.2f}x faster; {(no_pyc - pyc) / floor:.2f} floors)"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        chalice_package(ROOT, out / "chalice")
        package = out / "chalice" / "deployment.zip"
        print(f"package: {package.stat().st_size / 1e6:.1f} MB (sources only, as Chalice ships)")
        trees = {
            "without .pyc": unpack(package, out / "src", bytecode=False),
            "with .pyc": unpack(package, out / "pyc", bytecode=True),
        }
        report(measure(trees))


if __name__ == "__main__":
    main()
