"""Run every benchmark module in this folder named bench_*.py (each exposes `main()`).

`python -m bench` runs them all; `python -m bench dispatch` only those whose name contains
"dispatch". Benchmarks print figures; they never assert timing.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # figures, not per-ticket logs
    wanted = argv[1:]
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_") and (not wanted or any(w in m.name for w in wanted))
    )
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"=== bench.{name} done in {time.perf_counter() - started:.1f} s ===", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
