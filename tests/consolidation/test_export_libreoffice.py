"""The exported workbook as LibreOffice reads it (Debian's soffice, converted to CSV): text that
looks like a formula is still that text, while a real formula in a control workbook computes."""

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook

from consolidation.exports.building import write_export
from consolidation.models import Export
from consultation.answers import AnswerValue
from tests.consolidation.exports import KENYA_FORMULA, MEXICO_NAME, fill, fill_world

pytestmark = pytest.mark.django_db

# Every sheet to its own CSV file (the last field, -1), UTF-8 (76), comma-separated (44).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def convert(workbook: Path) -> dict[str, list[list[str]]]:
    """Each sheet of the workbook as LibreOffice writes it to CSV, by sheet name."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: make test installs libreoffice-calc-nogui"
    folder = workbook.parent
    subprocess.run(  # noqa: S603  (our own arguments)
        [
            soffice,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    sheets = {}
    for path in folder.glob(f"{workbook.stem}-*.csv"):
        with path.open(encoding="utf-8", newline="") as stream:
            sheets[path.stem[len(workbook.stem) + 1 :]] = list(csv.reader(stream))
    return sheets


def test_libreoffice_reads_formula_like_answers_as_text(world, tmp_path):
    fill_world(world)
    path = tmp_path / "export.xlsx"
    write_export(round_=world.round, kind=Export.Kind.CONSOLIDATED, target=str(path))

    sheets = convert(path)

    section_a = next(rows for name, rows in sheets.items() if name.startswith("A "))
    a3 = section_a[0].index("A3")
    by_country = {row[2]: row for row in section_a[2:]}
    assert by_country["KEN"][a3] == KENYA_FORMULA
    assert by_country["MEX"][a3] == MEXICO_NAME
    section_c = next(rows for name, rows in sheets.items() if name.startswith("C "))
    survey = section_c[0].index("C7.r2.name")
    assert {row[2]: row for row in section_c[2:]}["KEN"][survey] == "@SUM(A1:A9)"
    long_values = {(row[2], row[3]): row[6] for row in sheets["Long"][1:]}
    assert long_values[("KEN", "A3")] == KENYA_FORMULA
    assert long_values[("MEX", "A3")] == MEXICO_NAME


def test_libreoffice_reads_text_that_looks_escaped_as_typed(world, tmp_path):
    # "_x0041_" in a cell is OOXML's escape for "A": unescaped, LibreOffice would show "UnitA".
    fill_world(world)
    typed = "Unit_x0041_ (new_x1_)"
    fill(
        world.return_b,
        world.nso_b,
        world.focal_point_b,
        {("A5", "contact", "unit"): AnswerValue(typed)},
    )
    path = tmp_path / "export.xlsx"
    write_export(round_=world.round, kind=Export.Kind.CONSOLIDATED, target=str(path))

    sheets = convert(path)

    section_a = next(rows for name, rows in sheets.items() if name.startswith("A "))
    unit = section_a[0].index("A5.contact.unit")
    assert {row[2]: row for row in section_a[2:]}["MEX"][unit] == typed
    long_values = {(row[2], row[3], row[4], row[5]): row[6] for row in sheets["Long"][1:]}
    assert long_values[("MEX", "A5", "contact", "unit")] == typed


def test_libreoffice_would_compute_a_real_formula(tmp_path):
    """The control: the conversion above does evaluate formulas, so its text is proof."""
    workbook = Workbook()
    workbook.active.title = "Control"
    workbook.active["A1"] = "=1+1"
    workbook.active["B1"] = '=HYPERLINK("http://attacker.example/","Click")'
    path = tmp_path / "control.xlsx"
    workbook.save(path)

    sheets = convert(path)

    assert sheets["Control"][0][:2] == ["2", "Click"]
