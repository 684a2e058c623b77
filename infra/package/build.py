"""`make package`: chalice package → bytecode → merge infra/ → build/template.json → cfn-lint.

Chalice runs in a child process (it imports app.py, which needs the shipped dependencies
and a region). The region only decides the partition's service principals baked into the
template: package with AWS_DEFAULT_REGION set to where you deploy (default cn-north-1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from infra.package.merge import merge
from infra.package.precompile import Precompiled, precompile_zip

DEFAULT_REGION = "cn-north-1"
_MISSING_POLICY = "Unable to load IAM policy file"


class PackageError(RuntimeError):
    pass


@dataclass
class Built:
    template: Path
    deployment_zip: Path
    precompiled: Precompiled | None
    timings: dict[str, float] = field(default_factory=dict)
    lint_errors: list[str] = field(default_factory=list)


def region() -> str:
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION


def chalice_package(project_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Run `chalice package --stage prod` into `out_dir`; return its SAM template."""
    env = {**os.environ, "AWS_DEFAULT_REGION": region()}
    command = [
        sys.executable,
        "-c",
        "import sys; from chalice.cli import main; sys.exit(main())",
        "package",
    ]
    command += ["--stage", "prod", "--pkg-format", "cloudformation", str(out_dir.resolve())]
    done = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        hint = ""
        if _MISSING_POLICY in done.stderr:
            hint = (
                "a function has no policy file: add infra/policies/<function>.json and "
                "list it under stages.prod.lambda_functions in .chalice/config.json\n"
            )
        raise PackageError(f"chalice package failed\n{hint}{done.stderr[-3000:]}")
    template: dict[str, Any] = json.loads((out_dir / "sam.json").read_text())
    return template


def runtime_of(template: dict[str, Any]) -> str:
    runtimes = {
        r["Properties"]["Runtime"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    if len(runtimes) != 1:
        raise PackageError(f"expected one Lambda runtime, found {sorted(runtimes)}")
    return runtimes.pop()


def lint(template: Path) -> list[str]:
    from cfnlint.api import ManualArgs, lint_file

    regions = sorted({region(), "us-east-1"})
    return [str(m) for m in lint_file(template, ManualArgs(regions=regions))]


def build(project_dir: Path = Path("."), out_dir: Path = Path("build")) -> Built:
    timings: dict[str, float] = {}
    chalice_dir = out_dir / "chalice"
    started = perf_counter()
    sam = chalice_package(project_dir, chalice_dir)
    timings["chalice package"] = perf_counter() - started

    started = perf_counter()
    zip_path = chalice_dir / "deployment.zip"
    precompiled = precompile_zip(zip_path, runtime_of(sam))
    timings["precompile"] = perf_counter() - started

    template = merge(sam, code_uri=os.path.relpath(zip_path, out_dir))
    path = out_dir / "template.json"
    path.write_text(json.dumps(template, indent=2, ensure_ascii=False) + "\n")

    started = perf_counter()
    errors = lint(path)
    timings["cfn-lint"] = perf_counter() - started
    return Built(path, zip_path, precompiled, timings, errors)
