"""Importing focal points from .xlsx and .csv lists: all rows or none, every problem reported."""

import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from consultation.models import Round
from responses.exceptions import FocalPointImportRefused, RoundRefused
from responses.focal_points import check_xlsx_archive, import_focal_points
from responses.models import Authority, CountryReturn, Invitation, Membership

pytestmark = pytest.mark.django_db

HEADER = ["Country", "Name", "E-mail", "Name 2", "E-mail 2"]
GOOD_ROWS = [
    ["BRA", "Ana Souza", "ana.souza@ibge.gov.br", "", ""],
    [250, "Jean Martin", "Jean.Martin@insee.fr", "Claire Petit", "claire.petit@insee.fr"],
    ["KEN", "Amina Odhiambo", "amina@knbs.or.ke", "", ""],
]


def csv_bytes(rows, header=HEADER, delimiter=",") -> bytes:
    lines = [header, *rows]
    return "\n".join(delimiter.join(str(value) for value in line) for line in lines).encode()


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def state() -> tuple[int, int, int, int]:
    """What an import may create: returns, authorities, invitations, memberships."""
    return (
        CountryReturn.objects.count(),
        Authority.objects.count(),
        Invitation.objects.count(),
        Membership.objects.count(),
    )


def run(round_, file_name, data, invited_by=None):
    return import_focal_points(round_=round_, file_name=file_name, data=data, invited_by=invited_by)


def refusal(round_, file_name, data) -> FocalPointImportRefused:
    before = state()
    with pytest.raises(FocalPointImportRefused) as caught:
        run(round_, file_name, data)
    assert state() == before, "a refused list must change nothing"
    return caught.value


# Good lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", ["focal-points.csv", "focal-points.xlsx"])
def test_list_registers_returns_nsos_and_invitations(world, file_name):
    data = csv_bytes(GOOD_ROWS) if file_name.endswith(".csv") else xlsx_bytes(GOOD_ROWS)
    result = run(world.round, file_name, data, invited_by=world.admin)

    # Kenya's return and NSO exist already (the world fixture); Brazil and France are new.
    assert result.countries == 3
    assert result.returns_created == 2
    assert result.authorities_created == 2
    assert sorted(result.invitations_created) == [
        "amina@knbs.or.ke",
        "ana.souza@ibge.gov.br",
        "claire.petit@insee.fr",
        "jean.martin@insee.fr",
    ]
    france = CountryReturn.objects.get(round=world.round, country__iso3="FRA")
    nso = Authority.objects.get(country__iso3="FRA")
    assert nso.kind == Authority.Kind.NSO
    invitations = Invitation.objects.filter(country_return=france).order_by("email")
    assert [(i.email, i.full_name, i.role, i.authority) for i in invitations] == [
        ("claire.petit@insee.fr", "Claire Petit", Membership.Role.FOCAL_POINT, nso),
        ("jean.martin@insee.fr", "Jean Martin", Membership.Role.FOCAL_POINT, nso),
    ]
    assert all(i.created_by == world.admin for i in invitations)
    kenya = Invitation.objects.get(email="amina@knbs.or.ke")
    assert (kenya.country_return, kenya.authority) == (world.return_a, world.nso_a)
    # The round is in preparation: nothing is sent yet.
    assert mail.outbox == []
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()


def test_importing_the_same_list_twice_creates_nothing_new(world):
    run(world.round, "list.csv", csv_bytes(GOOD_ROWS))
    before = state()
    result = run(world.round, "list.xlsx", xlsx_bytes(GOOD_ROWS))
    assert state() == before
    assert result.invitations_created == []
    assert result.already_invited == 4
    assert (result.returns_created, result.authorities_created) == (0, 0)


def test_focal_points_already_members_are_not_invited(world):
    rows = [["KEN", "Existing focal point", "FP-A@example.org", "", ""]]
    result = run(world.round, "list.csv", csv_bytes(rows))
    assert result.invitations_created == []
    assert result.already_invited == 1
    assert not Invitation.objects.exists()


def test_m49_codes_semicolons_and_extra_columns_are_accepted(world):
    header = ["Country name", "ISO3 or M49 code", "Focal point", "Email"]
    rows = [["Brazil", "76", "Ana Souza", "ana@ibge.gov.br"], ["Kenya", "404", "", "k@knbs.or.ke"]]
    result = run(world.round, "list.csv", csv_bytes(rows, header=header, delimiter=";"))
    assert sorted(result.invitations_created) == ["ana@ibge.gov.br", "k@knbs.or.ke"]


def test_a_country_on_several_rows_and_repeated_addresses(world):
    rows = [
        ["KEN", "Amina", "amina@knbs.or.ke", "", ""],
        ["KEN", "Otieno", "otieno@knbs.or.ke", "Amina again", "AMINA@knbs.or.ke"],
    ]
    result = run(world.round, "list.csv", csv_bytes(rows))
    assert result.countries == 1
    assert sorted(result.invitations_created) == ["amina@knbs.or.ke", "otieno@knbs.or.ke"]


def test_windows_csv_with_accents_is_read(world):
    data = csv_bytes([["CIV", "Aïcha Koné", "aicha@ins.ci", "", ""]]).decode().encode("cp1252")
    run(world.round, "list.csv", data)
    assert Invitation.objects.get().full_name == "Aïcha Koné"


def test_focal_points_imported_into_an_open_round_are_invited_at_once(
    world, django_capture_on_commit_callbacks
):
    world.round.status = Round.Status.OPEN
    world.round.save()
    with django_capture_on_commit_callbacks(execute=True):
        result = run(world.round, "list.csv", csv_bytes(GOOD_ROWS))
    assert result.invitations_sent_now
    assert sorted(message.to[0] for message in mail.outbox) == sorted(result.invitations_created)
    assert not Invitation.objects.filter(sent_at__isnull=True).exists()


def test_a_closed_round_is_refused(world):
    world.round.status = Round.Status.CLOSED
    world.round.save()
    with pytest.raises(RoundRefused):
        run(world.round, "list.csv", csv_bytes(GOOD_ROWS))
    assert not Invitation.objects.exists()


# Bad rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", ["list.csv", "list.xlsx"])
def test_every_bad_row_is_reported_with_its_number_and_nothing_is_imported(world, file_name):
    rows = [
        ["BRA", "Ana Souza", "ana.souza@ibge.gov.br", "", ""],  # row 2: good
        ["XYZ", "Nobody", "nobody@example.org", "", ""],  # row 3: unknown country
        ["KEN", "Amina", "amina at knbs.or.ke", "", ""],  # row 4: bad e-mail
        ["", "", "", "", ""],  # row 5: empty, skipped
        ["FRA", "Jean", "", "", ""],  # row 6: no e-mail
        ["002", "Africa", "africa@example.org", "", ""],  # row 7: a region
        ["", "Someone", "someone@example.org", "", ""],  # row 8: no country
        ["MEX", "Luis", "luis@inegi.org.mx", "Second", ""],  # row 9: second without e-mail
    ]
    data = csv_bytes(rows) if file_name.endswith(".csv") else xlsx_bytes(rows)
    error = refusal(world.round, file_name, data)
    assert error.message == "The list has 6 problems; nothing was imported."
    assert error.errors == [
        "Row 3: “XYZ” is not an ISO alpha-3 or M49 code of a country.",
        "Row 4: “amina at knbs.or.ke” is not an e-mail address.",
        "Row 6: the focal point's e-mail address is missing.",
        "Row 7: “002” is Africa, a region, not a country.",
        "Row 8: the country code is missing.",
        "Row 9: the second focal point (Second) has no e-mail address.",
    ]


def test_a_missing_column_is_reported(world):
    error = refusal(
        world.round, "list.csv", csv_bytes([["KEN", "Amina"]], header=["Country", "Name"])
    )
    assert "Row 1: the header row lacks the column(s) email." in error.errors[0]


def test_a_list_without_header_is_reported(world):
    data = b"KEN,Amina,amina@knbs.or.ke\n"
    error = refusal(world.round, "list.csv", data)
    assert "lacks the column(s) country, name, email" in error.message


@pytest.mark.parametrize(
    ("file_name", "data", "message"),
    [
        ("list.csv", b"", "The file is empty."),
        ("list.csv", csv_bytes([]), "The list names no focal points."),
        ("list.xls", b"\xd0\xcf\x11\xe0", "Save the list as an Excel workbook (.xlsx)"),
        ("list.pdf", b"%PDF-1.4", "must be an Excel workbook (.xlsx) or a CSV file"),
        ("list.csv", b"\x00\x01\x02binary", "not a CSV file"),
        ("list.xlsx", b"Country,Name,Email\nKEN,A,a@b.org\n", "not an Excel workbook"),
        ("list.xlsx", b"PK\x03\x04 truncated", "not an Excel workbook"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(world, file_name, data, message):
    error = refusal(world.round, file_name, data)
    assert message in error.message


def test_a_large_file_is_refused(world):
    error = refusal(world.round, "list.csv", b"x" * (5 * 1024 * 1024 + 1))
    assert "larger than 5 MB" in error.message


# Hostile workbooks ---------------------------------------------------------------------------


def workbook_with(extra: dict[str, bytes], *, drop: tuple[str, ...] = ()) -> bytes:
    """A real .xlsx with members added (or removed)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD_ROWS)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename not in drop:
                target.writestr(member, source.read(member.filename))
        for name, content in extra.items():
            target.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_opened(world, monkeypatch):
    # 20 MB of one repeated character deflates to about 20 KB: a ratio of 1000 to 1.
    bomb = workbook_with({"xl/worksheets/sheet2.xml": b"<" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000

    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    error = refusal(world.round, "list.xlsx", bomb)
    assert "too large or too compressed" in error.message


def test_a_workbook_declaring_too_much_data_is_refused(world):
    # Stored (not compressed) members: the ratio is 1, but they add up to 60 MB.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for number in range(4):
            archive.writestr(f"xl/media/image{number}.bin", b"\0" * (15 * 1024 * 1024))
    with pytest.raises(FocalPointImportRefused, match="too large or too compressed"):
        check_xlsx_archive(buffer.getvalue())


def test_a_workbook_with_too_many_members_is_refused(world):
    many = {f"xl/media/image{number}.png": b"x" for number in range(201)}
    error = refusal(world.round, "list.xlsx", workbook_with(many))
    assert "too large or too compressed" in error.message


def test_a_workbook_with_macros_is_refused(world):
    error = refusal(world.round, "list.xlsx", workbook_with({"xl/vbaProject.bin": b"macro code"}))
    assert "contains macros" in error.message


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    error = refusal(world.round, "list.xlsx", workbook_with({}, drop=("xl/workbook.xml",)))
    assert "not an Excel workbook" in error.message


def test_openpyxl_guards_against_xml_bombs():
    assert openpyxl.DEFUSEDXML is True


def test_formulas_are_read_as_their_values(world):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["KEN", "Amina", '=HYPERLINK("http://evil.example","x")', "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # No cached value (never opened in Excel): the e-mail cell reads as empty.
    error = refusal(world.round, "list.xlsx", buffer.getvalue())
    assert error.errors == ["Row 2: the focal point's e-mail address is missing."]


# The command -------------------------------------------------------------------------------


def test_command_imports_a_list(world, tmp_path: Path, draft_round):
    draft_round(world.round)
    path = tmp_path / "focal-points.xlsx"
    path.write_bytes(xlsx_bytes(GOOD_ROWS))
    out = io.StringIO()
    call_command("import_focal_points", str(path), "--round", "2026", stdout=out)
    assert Invitation.objects.count() == 4
    assert "3 countries in the list." in out.getvalue()
    assert "Created: 2 country returns, 2 national statistical offices, 4 invitations." in (
        out.getvalue()
    )
    assert "sent when the round is opened" in out.getvalue()


def test_command_reports_every_bad_row_and_imports_nothing(world, tmp_path: Path):
    path = tmp_path / "focal-points.csv"
    path.write_bytes(csv_bytes([["KEN", "A", "a@knbs.or.ke", "", ""], ["ZZZ", "B", "bad", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems; nothing was imported") as caught:
        call_command("import_focal_points", str(path), "--round", "2026", stderr=err)
    assert caught.value.returncode == 1
    assert "Row 3: “ZZZ” is not an ISO alpha-3 or M49 code" in err.getvalue()
    assert "Row 3: “bad” is not an e-mail address." in err.getvalue()
    assert not Invitation.objects.exists()


def test_command_refuses_an_unknown_round_and_a_missing_file(world, tmp_path: Path):
    with pytest.raises(CommandError, match="No round has the code 'nope'"):
        call_command("import_focal_points", str(tmp_path / "x.csv"), "--round", "nope")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_focal_points", str(tmp_path / "x.csv"), "--round", "2026")


def test_command_takes_the_only_current_round_when_none_is_named(world, tmp_path: Path):
    path = tmp_path / "focal-points.xlsx"
    path.write_bytes(xlsx_bytes(GOOD_ROWS))

    call_command("import_focal_points", str(path), stdout=io.StringIO())

    assert Invitation.objects.filter(country_return__round=world.round).count() == 4
    Round.objects.create(code="2030", name="Round 2030", questionnaire=world.round.questionnaire)
    with pytest.raises(CommandError, match="Say which round with --round CODE"):
        call_command("import_focal_points", str(path), stdout=io.StringIO())


# The admin page ----------------------------------------------------------------------------


def import_url(round_) -> str:
    return reverse("admin:consultation_round_import_focal_points", args=[round_.pk])


def test_round_admin_links_to_the_upload_page(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("admin:consultation_round_change", args=[world.round.pk]))
    assert response.status_code == 200
    assert import_url(world.round) in response.content.decode()


def test_admin_upload_imports_the_list(client, world):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("focal-points.xlsx", xlsx_bytes(GOOD_ROWS))
    response = client.post(import_url(world.round), {"file": upload}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Created: 2 country returns, 2 national statistical offices, 4 invitations." in text
    assert Invitation.objects.count() == 4
    assert set(Invitation.objects.values_list("created_by", flat=True)) == {world.admin.pk}


def test_admin_upload_shows_every_problem_and_imports_nothing(client, world):
    client.force_login(world.admin)
    rows = [["KEN", "A", "a@knbs.or.ke", "", ""], ["ZZZ", "B", "b@example.org", "", ""]]
    upload = SimpleUploadedFile("focal-points.csv", csv_bytes(rows))
    response = client.post(import_url(world.round), {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The list has 1 problem; nothing was imported." in text
    assert "Row 3: “ZZZ” is not an ISO alpha-3 or M49 code of a country." in text
    assert not Invitation.objects.exists()


def test_admin_upload_of_a_non_workbook(client, world):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("focal-points.xlsx", b"this is not a zip file")
    response = client.post(import_url(world.round), {"file": upload})
    assert response.status_code == 400
    assert "The file is not an Excel workbook (.xlsx)" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", [None, "focal_point_a", "reviewer_not_staff"])
def test_upload_page_is_for_staff_only(client, world, who):
    if who == "reviewer_not_staff":
        world.reviewer.is_staff = False
        world.reviewer.save()
        client.force_login(world.reviewer)
    elif who:
        client.force_login(getattr(world, who))
    upload = SimpleUploadedFile("focal-points.csv", csv_bytes(GOOD_ROWS))
    response = client.post(import_url(world.round), {"file": upload})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Invitation.objects.exists()


def test_admin_action_leads_to_the_upload_page(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:consultation_round_changelist"),
        {"action": "import_focal_points_action", "_selected_action": [world.round.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == import_url(world.round)


def test_staff_without_the_right_to_change_rounds_is_refused(client, world):
    assert world.reviewer.is_staff
    assert not world.reviewer.is_superuser
    client.force_login(world.reviewer)
    upload = SimpleUploadedFile("focal-points.csv", csv_bytes(GOOD_ROWS))
    response = client.post(import_url(world.round), {"file": upload})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_upload_page_explains_the_format(client, world, draft_round):
    draft_round(world.round)
    client.force_login(world.admin)
    response = client.get(import_url(world.round))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'type="file"' in text
    assert "<code>email_2</code>" in text
    assert "The invitations are sent when the round is opened." in text


def test_an_xlsx_declaring_fewer_rows_than_it_has_is_read_to_its_last_row(world):
    # openpyxl's read-only mode stops at the declared dimension unless it is reset: a bad fourth
    # row must still refuse the whole list.
    rows = [*GOOD_ROWS, ["ZZZ", "Nobody", "nobody@example.org", "", ""]]
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes `<dimension ref="A1:E5"/>`, with lxml or without the space.
                assert re.search(rb'<dimension ref="A1:E5" ?/>', content)
                content = re.sub(
                    rb'<dimension ref="A1:E5" ?/>', b'<dimension ref="A1:C2"/>', content
                )
            target.writestr(member, content)
    error = refusal(world.round, "list.xlsx", buffer.getvalue())
    assert error.errors == ["Row 5: “ZZZ” is not an ISO alpha-3 or M49 code of a country."]


def test_command_refuses_a_path_that_is_not_a_regular_file(world, tmp_path: Path):
    pipe = tmp_path / "list.csv"
    os.mkfifo(pipe)
    for path in (tmp_path, pipe, Path("/dev/zero")):
        with pytest.raises(CommandError, match="not a regular file"):
            call_command("import_focal_points", str(path), "--round", "2026")
    assert not Invitation.objects.exists()
