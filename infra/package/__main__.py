"""`python -m infra.package [--out build]`: build and lint the template; exit 1 on lint errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from infra.package.build import PackageError, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build"), help="output directory")
    parser.add_argument("--project", type=Path, default=Path("."), help="Chalice project")
    args = parser.parse_args(argv)
    try:
        built = build(args.project, args.out)
    except PackageError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"wrote {built.template} and {built.deployment_zip}")
    print(built.precompiled or "no bytecode added: this Python is not the functions' runtime")
    print(", ".join(f"{step} {seconds:.1f} s" for step, seconds in built.timings.items()))
    for line in built.lint_errors:
        print(line, file=sys.stderr)
    print(f"cfn-lint: {len(built.lint_errors) or 'no'} findings")
    return 1 if built.lint_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
