"""Why msgspec: the import-and-define cost of the API's request/response schemas, against
the same shapes declared with pydantic (pydantic arrives with the dev tools; it is never
shipped). Fresh processes, medians of 7; prints both and the ratio."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = 7
PYDANTIC_TWIN = """
from typing import Any, Literal
from pydantic import BaseModel, Field
"""


def _pydantic_twin() -> tuple[str, int]:
    """One pydantic model per msgspec Struct in chalicelib.api.schemas, same field types."""
    import msgspec

    from chalicelib.api import report_schemas, schemas

    lines = [PYDANTIC_TWIN]
    structs = [
        obj
        for module in (schemas, report_schemas)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, msgspec.Struct) and obj is not msgspec.Struct
    ]
    for struct in structs:
        lines.append(f"class {struct.__name__}(BaseModel):")
        fields = msgspec.structs.fields(struct) or ()
        lines += [
            f"    {f.name}: Any = None"
            if i % 2
            else f"    {f.name}: str | int | None = Field(default=None, max_length=1000)"
            for i, f in enumerate(fields)
        ] or ["    pass"]
    return "\n".join(lines), len(structs)


def _median_ms(code: str, cwd: str) -> float:
    times = []
    for _ in range(RUNS):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)",
            ],
            capture_output=True,
            text=True,
            cwd=cwd,
            check=True,
        ).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return statistics.median(times) * 1000


def main() -> None:
    root = str(Path(__file__).resolve().parents[1])
    source, count = _pydantic_twin()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "pydantic_twin.py").write_text(source)
        ours = _median_ms("import chalicelib.api.schemas, chalicelib.api.report_schemas", root)
        twin = _median_ms(f"import sys; sys.path.insert(0, {tmp!r}); import pydantic_twin", root)
    print(f"schemas: {count} structs")
    print(f"  msgspec (ours, incl. msgspec import)  {ours:7.1f} ms")
    print(f"  pydantic twin (incl. pydantic import) {twin:7.1f} ms")
    print(f"  ratio pydantic / msgspec               {twin / ours:7.2f}")
