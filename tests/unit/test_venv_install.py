"""`make`'s virtualenv step shows progress: a line per pinned package with its count, the
dependencies as a running count, the install step, instead of ~100 s of silence."""

from __future__ import annotations

from pathlib import Path

from infra.local.venv_install import pinned, progress

ROOT = Path(__file__).resolve().parents[2]

PIP = """\
Collecting boto3==1.44.8 (from -r requirements.txt (line 2))
  Downloading boto3-1.44.8-py3-none-any.whl.metadata (6.7 kB)
Collecting moto[server]==5.2.5 (from -r requirements-dev.txt (line 4))
Requirement already satisfied: ruff==0.17.6 in ./.venv/lib/python3.12/site-packages (0.17.6)
Collecting jmespath<2.0.0,>=0.7.1 (from boto3==1.44.8->-r requirements.txt (line 2))
Collecting Flask_Cors>=4 (from moto[server]==5.2.5->-r requirements-dev.txt (line 4))
Collecting jmespath<2.0.0,>=0.7.1 (from boto3==1.44.8->-r requirements.txt (line 2))
Collecting werkzeug>=3 (from moto[server]==5.2.5->-r requirements-dev.txt (line 4))
WARNING: The script flask is installed in '/x/bin' which is not on PATH.
Installing collected packages: jmespath, werkzeug, flask-cors, boto3, moto
Successfully installed boto3-1.44.8 flask-cors-5.0 jmespath-1.0.1 moto-5.2.5 werkzeug-3.1
"""


def test_the_pinned_packages_are_counted_across_included_files(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("# shipped\nboto3==1.44.8\nPyYAML==6.0  # why\n\n")
    (tmp_path / "dev.txt").write_text("-r base.txt\nmoto[server]==5.2.5\n--index-url x\n")
    assert pinned(tmp_path / "dev.txt") == ["boto3", "pyyaml", "moto"]
    assert len(pinned(ROOT / "requirements-dev.txt")) > len(pinned(ROOT / "requirements.txt"))


def test_pip_output_becomes_one_line_per_pinned_package_and_counted_dependencies() -> None:
    lines = list(progress(PIP.splitlines(), ["boto3", "moto", "ruff"], every=2))
    assert lines == [
        "  [1/3] boto3==1.44.8",
        "  [2/3] moto[server]==5.2.5",
        "  [3/3] ruff==0.17.6",
        "  +2 dependencies",  # jmespath seen twice while pip backtracks counts once
        "  WARNING: The script flask is installed in '/x/bin' which is not on PATH.",
        "  +3 dependencies",
        "  installing 5 new or changed packages…",
    ]


def test_the_makefile_installs_through_the_progress_step_not_quietly() -> None:
    rule = (ROOT / "Makefile").read_text().split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "infra.local.venv_install" in rule and "--quiet" not in rule
