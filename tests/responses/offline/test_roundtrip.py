"""Downloading a reply as a workbook and uploading it back: nothing changes unless typed."""

import pytest

from responses.models import Answer, AnswerChange
from responses.offline.services import apply_workbook, preview_workbook
from tests.responses.offline.helpers import download, edit

pytestmark = pytest.mark.django_db


def test_an_unchanged_workbook_changes_nothing(world):
    content = download(world.focal_point_a, world.return_a)

    preview = preview_workbook(content=content, user=world.focal_point_a)

    assert preview.summary_line() == (
        "new=0 changed=0 unchanged=0 invalid=0 conflicting=0 skipped=0 ignored=0"
    )


def test_typed_values_arrive_through_the_excel_channel(world):
    content = edit(
        download(world.focal_point_a, world.return_a),
        {"A3": "Kenya National Bureau of Statistics", "B6": "Yes"},
    )

    preview = preview_workbook(content=content, user=world.focal_point_a)
    print([e.line() for e in preview.entries])
    result = apply_workbook(content=content, user=world.focal_point_a)

    assert result.saved == 2
    assert world.answer("A3").value == "Kenya National Bureau of Statistics"
    assert world.answer("B6").value == "yes"
    assert set(AnswerChange.objects.values_list("channel", flat=True)) == {"excel"}
    assert Answer.objects.count() == 2
