"""`make`'s virtualenv step with progress: pip's output reduced to one line per pinned package
(with a running count of the dependencies it pulled in), then one line for the install and
one with the time taken. On failure pip's last lines are shown and its exit code returned.

Run by the new virtualenv's own python before anything is installed in it, so standard
library only: `python -m infra.local.venv_install requirements-dev.txt`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_STARTED = re.compile(r"^(Collecting|Requirement already satisfied:) (\S+)")


def pinned(requirements: Path) -> list[str]:
    """The canonical names a requirements file pins, following `-r` includes."""
    names: list[str] = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            names += pinned(requirements.parent / line.split(None, 1)[1])
        elif line and not line.startswith("-") and (found := _NAME.match(line)):
            names.append(_canonical(found.group()))
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.split("[", 1)[0]).lower()


def progress(lines: Iterable[str], wanted: list[str], every: int = 10) -> Iterator[str]:
    """pip's output lines in, progress lines out: each pinned package as pip reaches it as
    `[k/N]`, the dependencies they pull in as a count every `every`, then the install step."""
    direct, seen, extra = set(wanted), set[str](), set[str]()
    told = 0
    for line in lines:
        started = _STARTED.match(line)
        if started:
            spec = started.group(2)
            name = _canonical(found.group()) if (found := _NAME.match(spec)) else spec
            if name in seen or name in extra:
                continue  # pip revisits a package while it backtracks
            if name in direct:
                seen.add(name)
                yield f"  [{len(seen)}/{len(direct)}] {spec}"
            else:
                extra.add(name)
                if len(extra) % every == 0:
                    told = len(extra)
                    yield f"  +{told} dependencies"
        elif line.startswith(("WARNING:", "ERROR:")):  # pip's own alarms stay visible
            yield "  " + line.rstrip("\n")
        elif line.startswith("Installing collected packages:"):
            if told != len(extra):
                told = len(extra)
                yield f"  +{told} dependencies"
            count = len(line.split(":", 1)[1].split(","))
            yield f"  installing {count} new or changed packages…"
    if told != len(extra):
        yield f"  +{len(extra)} dependencies"


def main(argv: list[str], clock: Callable[[], float] = time.monotonic) -> int:
    requirements = Path(argv[1] if len(argv) > 1 else "requirements-dev.txt")
    wanted = pinned(requirements)
    print(
        f"installing {len(wanted)} pinned packages and their dependencies from {requirements} "
        f"into {Path(sys.prefix).name} (about 100 s on a fresh machine)",
        flush=True,
    )
    started = clock()
    tail: deque[str] = deque(maxlen=40)
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    command += ["--progress-bar", "off", "-r", str(requirements)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as pip:
        assert pip.stdout is not None

        def kept(stream: Iterable[str]) -> Iterator[str]:
            for line in stream:
                tail.append(line.rstrip("\n"))
                yield line

        for shown in progress(kept(pip.stdout), wanted):
            print(shown, flush=True)
    if pip.returncode != 0:
        print("\n".join(tail), file=sys.stderr)
        print(f"pip install failed ({pip.returncode}) after {clock() - started:.0f} s", flush=True)
        return pip.returncode
    print(f"installed in {clock() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
