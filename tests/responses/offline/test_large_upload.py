"""A large workbook is read by the Celery task, its progress shown until the preview is ready."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from responses.models import AnswerChange
from responses.offline.services import BackgroundReading, background_reading, background_token
from responses.offline.tasks import read_workbook_upload
from tests.responses.offline.helpers import download, edit
from tests.responses.offline.test_upload_wizard import step

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_upload_is_large(settings):
    settings.OFFLINE_WORKBOOK_BACKGROUND_BYTES = 1


def test_a_large_upload_is_read_by_the_task_then_previewed_and_applied(
    client, world, every_upload_is_large, django_capture_on_commit_callbacks
):
    client.force_login(world.focal_point_a)
    content = edit(download(world.focal_point_a, world.return_a), {"A3": "KNBS"})
    url = reverse("responses:workbook-upload", args=[world.return_a.pk])
    prefix = f"workbook_upload_{world.return_a.pk}"
    token = background_token(content, world.focal_point_a, world.return_a)

    with django_capture_on_commit_callbacks() as queued:
        response = step(client, url, prefix, "upload", files={"upload-workbook": content})

    # Not read yet: the page shows the progress and checks again.
    assert len(queued) == 1
    page = response.content.decode()
    assert 'id="upload-progress"' in page
    assert "0% done" in page
    assert background_reading(token).state == "queued"

    queued[0]()  # the Celery task runs (eagerly, as the tests' settings say)

    reading = background_reading(token)
    assert (reading.state, reading.percent) == ("done", 100)
    response = client.post(url, {f"{prefix}-current_step": "review", "wizard_goto_step": "review"})
    page = response.content.decode()
    assert 'id="upload-progress"' not in page
    assert "KNBS" in page
    step(client, url, prefix, "review")
    response = step(client, url, prefix, "confirm")
    assert response.status_code == 302
    assert world.answer("A3").value == "KNBS"
    assert AnswerChange.objects.get().channel == AnswerChange.Channel.EXCEL


def test_the_task_reports_a_refused_workbook_and_running_it_again_does_nothing(
    world, every_upload_is_large
):
    content = download(world.focal_point_b, world.return_b)  # Mexico's, uploaded into Kenya's
    token = background_token(content, world.focal_point_a, world.return_a)
    name = default_storage.save("offline-uploads/test.xlsx", ContentFile(content))

    arguments = {
        "token": token,
        "stored_name": name,
        "user_id": world.focal_point_a.pk,
        "return_id": world.return_a.pk,
    }
    read_workbook_upload(**arguments)
    read_workbook_upload(**arguments)

    reading = background_reading(token)
    assert isinstance(reading, BackgroundReading)
    assert reading.state == "refused"
    assert "reply of Mexico, not of Kenya" in reading.error
    assert not default_storage.exists(name)
