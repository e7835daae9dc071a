"""offline_workbook writes a reply's workbook; import_workbook previews it, or applies it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from responses.models import Answer, AnswerChange
from tests.responses.offline.helpers import edit

pytestmark = pytest.mark.django_db


def test_offline_workbook_then_import_workbook_previews_and_applies(world, tmp_path, capsys):
    path = tmp_path / "kenya.xlsx"

    call_command("offline_workbook", "--round", "2026", "--country", "KEN", "--out", str(path))
    path.write_bytes(edit(path.read_bytes(), {"A3": "KNBS", "B6": "No"}))
    capsys.readouterr()
    call_command("import_workbook", str(path), "--user", world.focal_point_a.email)
    preview = capsys.readouterr().out.splitlines()

    assert len(preview) == 3
    assert preview[0].startswith("new ")
    assert "A3 Name of the responding institution" in preview[0]
    assert preview[0].endswith(": (no answer) -> KNBS")
    assert "B6" in preview[1]
    assert preview[1].endswith(": (no answer) -> No")
    assert preview[2] == "new=2 changed=0 unchanged=0 invalid=0 conflicting=0 skipped=0 ignored=0"
    assert not Answer.objects.exists()

    call_command("import_workbook", str(path), "--user", world.focal_point_a.email, "--apply")

    assert capsys.readouterr().out.splitlines()[-1].startswith("Applied: 2 answer(s) saved")
    assert world.answer("A3").value == "KNBS"
    assert set(AnswerChange.objects.values_list("channel", flat=True)) == {"excel"}


def test_offline_workbook_of_an_authority_holds_its_sections(world, tmp_path, capsys):
    path = tmp_path / "interior.xlsx"

    call_command(
        "offline_workbook",
        "--round=2026",
        "--country=KEN",
        f"--authority={world.interior_a.pk}",
        f"--out={path}",
    )

    assert "Ministry of Interior, sections C," in capsys.readouterr().out
    path.write_bytes(edit(path.read_bytes(), {"C12": "Yes"}))
    call_command("import_workbook", str(path), "--user", world.respondent_a.email, "--apply")
    assert world.answer("C12", authority=world.interior_a).value == "yes"


def test_import_workbook_refuses_a_bad_file_and_changes_nothing(world, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"not a workbook")

    with pytest.raises(CommandError, match="not an Excel workbook"):
        call_command("import_workbook", str(path), "--user", world.focal_point_a.email, "--apply")
    assert not Answer.objects.exists()


def test_offline_workbook_names_what_it_cannot_find(world, tmp_path):
    with pytest.raises(CommandError, match="No country has the ISO 3166 alpha-3 code 'XXX'"):
        call_command("offline_workbook", "--round=2026", "--country=XXX", f"--out={tmp_path}/x")
    with pytest.raises(CommandError, match="Kenya has no authority with the id 999999"):
        call_command(
            "offline_workbook",
            "--round=2026",
            "--country=KEN",
            "--authority=999999",
            f"--out={tmp_path}/x",
        )
