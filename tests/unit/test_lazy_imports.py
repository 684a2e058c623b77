"""What a cold start pays for: the authorizer loads no storage SDK, and no package
`__init__` pulls its subsystem into whoever imports one of its modules."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_authorizer_imports_neither_pynamodb_nor_boto3() -> None:
    # Given a fresh interpreter, when only the authorizer module is imported
    probe = (
        "import sys, chalicelib.auth.authorizer; "
        "print(sorted(m for m in ('pynamodb', 'boto3') if m in sys.modules))"
    )
    env = {**os.environ, "YUNGE_STAGE": "prod", "AWS_DEFAULT_REGION": "cn-north-1"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    # Then it loaded, and neither storage SDK came with it
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_package_inits_are_docstrings_or_lazy() -> None:
    for init in sorted((ROOT / "chalicelib").rglob("__init__.py")):
        body = ast.parse(init.read_text()).body
        statements = body[1:] if body and isinstance(body[0], ast.Expr) else body
        eager = [
            ast.unparse(s)
            for s in statements
            if not (isinstance(s, ast.FunctionDef) and s.name == "__getattr__")
        ]
        assert eager == [], f"{init.relative_to(ROOT)} runs {eager} at import"
