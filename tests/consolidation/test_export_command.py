"""python manage.py export_consolidated: the same workbooks and CSV files from the shell."""

import csv

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.consolidation.exports import KENYA_FORMULA, fill_world, sheet_rows

pytestmark = pytest.mark.django_db


def test_command_writes_the_consolidated_workbook(world, tmp_path, capsys):
    fill_world(world)
    out = tmp_path / "round.xlsx"

    call_command("export_consolidated", "--round", "2026", "--out", str(out))

    book = load_workbook(out)
    assert book.sheetnames[0] == "Read me"
    assert {row[2] for row in sheet_rows(book["Long"])[1:]} == {"KEN", "MEX"}
    assert "Long: 19 rows" in capsys.readouterr().out


def test_command_writes_one_country_raw(world, tmp_path):
    fill_world(world)
    out = tmp_path / "kenya-raw.xlsx"

    call_command(
        "export_consolidated", "--round", "2026", "--out", str(out), "--country", "KEN", "--raw"
    )

    replies = {row[3] for row in sheet_rows(load_workbook(out)["Long"])[1:]}
    assert replies == {"Kenya National Bureau of Statistics", "Ministry of Interior"}


def test_command_writes_csv_with_bom_and_a_codebook(world, tmp_path):
    fill_world(world)
    out = tmp_path / "long.csv"

    call_command("export_consolidated", "--round", "2026", "--out", str(out), "--format", "csv")

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["Country or area", "M49 code", "ISO3", "Question"]
    a3 = next(row for row in rows if row[2] == "KEN" and row[3] == "A3")
    assert a3[6] == "'" + KENYA_FORMULA
    codebook = (tmp_path / "long-codebook.csv").read_text(encoding="utf-8-sig")
    assert codebook.startswith("Code,Section,Text")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--round", "1999"], "No round has the code"),
        (["--round", "2026", "--country", "ZZZ"], "no return for ZZZ"),
    ],
)
def test_command_refuses_bad_arguments(world, tmp_path, arguments, message):
    out = tmp_path / "x.xlsx"

    with pytest.raises(CommandError, match=message):
        call_command("export_consolidated", *arguments, "--out", str(out))
    assert not out.exists()
