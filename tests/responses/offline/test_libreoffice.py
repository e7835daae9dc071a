"""A workbook opened and saved again by LibreOffice (Debian's package) uploads correctly."""

import random
import re
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.core import signing
from openpyxl import Workbook, load_workbook

from consultation.answers import AnswerValue
from responses.answers.services import AnswerEdit, save_answers
from responses.offline.reader import read_signed_sheet
from responses.offline.services import apply_workbook, preview_workbook
from responses.offline.workbook import META_SHEET, SIGNING_SALT, write_signed_sheet
from tests.responses.offline.helpers import download, edit

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
# What LibreOffice reads as an escaped character in a cell's text.
OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{1,4}_")


def resave_with_libreoffice(content: bytes, folder: Path) -> bytes:
    """What LibreOffice Calc writes when it opens the workbook and saves it as .xlsx."""
    source = folder / "in" / "reply.xlsx"
    source.parent.mkdir()
    source.write_bytes(content)
    out = folder / "out"
    subprocess.run(  # noqa: S603 - a fixed program and arguments
        [
            SOFFICE,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (out / "reply.xlsx").read_bytes()


def test_a_workbook_saved_by_libreoffice_uploads_its_answers(world, questionnaire, tmp_path):
    # Text from the web that a spreadsheet would take for a formula stays text.
    save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=questionnaire.section("F"),
        edits=[AnswerEdit(("F5", "", ""), AnswerValue("no", note="=SUM(A1:A9)"), 0)],
        user=world.focal_point_a,
        channel="web",
    )
    typed = edit(
        download(world.focal_point_a, world.return_a, only={"A", "F"}),
        {
            "A3": "Bureau national — \u00e9dition 2026",
            "A6": "2026-03-31",
            ("A7", "transit"): "\u2713",
            "F1": "Yes",
            "F2": 2.5,
            "F3.concepts.capacity": "Adequate",
        },
    )
    saved = resave_with_libreoffice(typed, tmp_path)
    assert saved != typed

    preview = preview_workbook(content=saved, user=world.focal_point_a)
    assert preview.of("invalid") == []
    apply_workbook(content=saved, user=world.focal_point_a)

    assert world.answer("A3").value == "Bureau national — \u00e9dition 2026"
    assert world.answer("A6").value == "2026-03-31"
    assert world.answer("A7").value == ["transit"]
    assert world.answer("F1").value == "yes"
    assert world.answer("F2").value == "2.5"
    assert world.answer("F5").note == "=SUM(A1:A9)"
    assert world.answer("F5").version == 1
    assert world.answer("F3", "concepts", "capacity").value == "adequate"


def test_an_unchanged_workbook_saved_by_libreoffice_changes_nothing(world, tmp_path):
    saved = resave_with_libreoffice(download(world.focal_point_a, world.return_a), tmp_path)

    preview = preview_workbook(content=saved, user=world.focal_point_a)

    assert preview.summary_line() == (
        "new=0 changed=0 unchanged=0 invalid=0 conflicting=0 skipped=0 ignored=0"
    )


def test_the_signed_sheet_survives_libreoffice_whatever_its_payload_holds(tmp_path):
    # A signed payload is base64, which can hold "_x1F_": LibreOffice reads that as an escaped
    # character and saves the character, which broke the signature about once in 200 downloads.
    # Each attempt's filler is new, so its whole payload is fresh: about one in a hundred holds
    # such a sequence, and the seeds make the search the same on every run.
    for attempt in range(20_000):
        meta = {"format": 1, "filler": random.Random(attempt).randbytes(3000).hex()}
        if OOXML_ESCAPE.search(signing.dumps(meta, salt=SIGNING_SALT, compress=True)):
            break
    else:
        pytest.fail("no payload with an escape-like sequence was found")
    workbook = Workbook()
    write_signed_sheet(workbook.create_sheet(META_SHEET), meta)
    output = BytesIO()
    workbook.save(output)

    saved = resave_with_libreoffice(output.getvalue(), tmp_path)

    assert read_signed_sheet(load_workbook(BytesIO(saved))) == meta


def test_text_that_looks_escaped_is_written_as_excel_writes_it(world, questionnaire):
    save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=questionnaire.section("A"),
        edits=[AnswerEdit(("A3", "", ""), AnswerValue("Office_x0041_2026"), 0)],
        user=world.focal_point_a,
        channel="web",
    )
    content = download(world.focal_point_a, world.return_a, only={"A"})

    with zipfile.ZipFile(BytesIO(content)) as archive:
        sheets = b"".join(
            archive.read(name) for name in archive.namelist() if name.startswith("xl/")
        )
    assert b"Office_x005F_x0041_2026" in sheets
    preview = preview_workbook(content=content, user=world.focal_point_a)
    assert preview.summary_line().startswith("new=0 changed=0 ")
