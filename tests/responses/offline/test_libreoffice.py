"""A workbook opened and saved again by LibreOffice (Debian's package) uploads correctly."""

import shutil
import subprocess
from pathlib import Path

import pytest

from consultation.formbuilder import AnswerValue
from responses.answers.services import AnswerEdit, save_answers
from responses.offline.services import apply_workbook, preview_workbook
from tests.responses.offline.helpers import download, edit

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


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
