"""The upload wizard: upload, see what changes, settle conflicts, confirm, and it is applied."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultation.formbuilder import AnswerValue
from responses.answers.services import AnswerEdit, save_answers
from responses.models import Answer, AnswerChange
from tests.responses.offline.helpers import download, edit

pytestmark = pytest.mark.django_db


def step(client, url, prefix, current, data=None, files=None):
    payload = {f"{prefix}-current_step": current, **(data or {})}
    for name, content in (files or {}).items():
        payload[name] = SimpleUploadedFile("reply.xlsx", content)
    return client.post(url, payload)


def upload(client, world, content):
    url = reverse("responses:workbook-upload", args=[world.return_a.pk])
    prefix = f"workbook_upload_{world.return_a.pk}"
    response = step(client, url, prefix, "upload", files={"upload-workbook": content})
    return url, prefix, response


def test_a_focal_point_uploads_previews_confirms_and_the_answers_change(client, world):
    client.force_login(world.focal_point_a)
    response = client.get(reverse("responses:workbook-download", args=[world.return_a.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="2026-KEN-nso.xlsx"'
    content = edit(response.content, {"A3": "KNBS", "B6": "No"})

    url, prefix, response = upload(client, world, content)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Step 2 of 3" in page
    assert "KNBS" in page
    assert not Answer.objects.exists()
    response = step(client, url, prefix, "review")
    assert "2 answers will be saved" in response.content.decode()
    assert not Answer.objects.exists()
    response = step(client, url, prefix, "confirm")

    assert response.status_code == 302
    assert world.answer("A3").value == "KNBS"
    assert world.answer("B6").value == "no"
    assert list(AnswerChange.objects.values_list("channel", flat=True)) == ["excel", "excel"]


def test_an_answer_changed_on_the_web_since_the_download_is_chosen_by_the_person(
    client, world, questionnaire
):
    client.force_login(world.focal_point_a)
    downloaded = download(world.focal_point_a, world.return_a)
    save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=questionnaire.section("A"),
        edits=[AnswerEdit(("A3", "", ""), AnswerValue("Typed on the web"), 0)],
        user=world.focal_point_a,
        channel="web",
    )
    content = edit(downloaded, {"A3": "Typed in Excel", "A6": "2026-03-31"})

    url, prefix, response = upload(client, world, content)
    page = response.content.decode()
    assert "Typed on the web" in page
    assert "Typed in Excel" in page
    response = step(client, url, prefix, "review")
    assert response.status_code == 200
    assert "Choose which value to keep." in response.content.decode()
    step(client, url, prefix, "review", {"review-choice_A3||": "workbook"})
    response = step(client, url, prefix, "confirm")

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert world.answer("A3").value == "Typed in Excel"
    assert world.answer("A6").value == "2026-03-31"


def test_a_workbook_with_an_invalid_answer_changes_nothing(client, world):
    client.force_login(world.focal_point_a)
    content = edit(download(world.focal_point_a, world.return_a), {"A3": "KNBS", "B6": "Maybe"})

    url, prefix, response = upload(client, world, content)
    page = response.content.decode()
    assert "Choose one of the options listed." in page
    response = step(client, url, prefix, "review")

    assert "nothing can be saved" in response.content.decode()
    assert not Answer.objects.exists()


def test_another_countrys_workbook_is_refused(client, world):
    client.force_login(world.focal_point_a)
    content = download(world.focal_point_b, world.return_b)

    _url, _prefix, response = upload(client, world, content)

    assert response.status_code == 200
    assert "This workbook is the reply of Mexico, not of Kenya." in response.content.decode()
