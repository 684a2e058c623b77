"""tickets.csv as a person meets it: double-clicked into a real spreadsheet program. Headless
LibreOffice Calc (Debian's package, installed by `make browser` with Chromium) opens the file
and saves it as a workbook, which openpyxl then reads cell by cell — the account number
keeps its leading zero and stays text, where a bare digit string in the same file does not."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chalicelib.reports.csv_writer import CsvSink

CALC = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    CALC is None and not os.environ.get("CI"),
    reason="no LibreOffice on this machine (`make browser` installs it as root)",
)
def test_account_numbers_keep_their_leading_zero_when_opened(tmp_path: Path) -> None:
    import openpyxl

    assert CALC is not None, "CI must have LibreOffice: `make test` runs `make browser` first"
    from chalicelib.reports.csv_writer import HEADER

    row = [""] * len(HEADER)
    row[HEADER.index("工单编号")] = "2026110100012"
    row[HEADER.index("户号")] = "012345678901"
    row[HEADER.index("轮次")] = "1"
    sink = CsvSink(tmp_path / "tickets.csv")
    sink.write(row)
    sink.close()
    # the trap, for contrast: the same digits without the tab, as a naive export writes them
    with (tmp_path / "naive.csv").open("w", encoding="utf-8-sig", newline="") as naive:
        csv.writer(naive).writerows([["户号"], ["012345678901"]])
    profile = tmp_path / "profile"
    for name in ("tickets.csv", "naive.csv"):
        subprocess.run(
            [
                CALC,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--infilter=CSV:44,34,76,1",  # comma, double quote, UTF-8, from line 1
                "--convert-to",
                "xlsx",
                "--outdir",
                str(tmp_path / "out"),
                str(tmp_path / name),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    sheet = openpyxl.load_workbook(tmp_path / "out" / "tickets.xlsx").active
    naive_sheet = openpyxl.load_workbook(tmp_path / "out" / "naive.xlsx").active
    assert sheet is not None and naive_sheet is not None
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=False))
    assert str(cells["户号"].value).strip() == "012345678901" and cells["户号"].data_type == "s"
    assert str(cells["工单编号"].value).strip() == "2026110100012"
    assert naive_sheet["A2"].value == 12345678901  # what the tab prevents
