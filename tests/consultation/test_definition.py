"""The cached picture of a questionnaire follows every reload of its file."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.definition import get_definition
from consultation.loader import load_questionnaire
from consultation.models import Questionnaire

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONNAIRE = """
code: cache-test
title: Cache test
sections:
  - code: A
    title: First
    questions:
      - {{code: A1, kind: text, text: "{text}"}}
"""


def test_a_reloaded_text_reaches_every_reader_and_reads_cost_no_query(tmp_path):
    path = tmp_path / "questionnaire.yaml"
    path.write_text(QUESTIONNAIRE.format(text="Old wording"))
    load_questionnaire(path)
    questionnaire_id = Questionnaire.objects.get(code="cache-test").pk
    assert get_definition(questionnaire_id).questions["A1"].text == "Old wording"
    with CaptureQueriesContext(connection) as queries:
        get_definition(questionnaire_id)
    assert len(queries.captured_queries) == 0

    path.write_text(QUESTIONNAIRE.format(text="New wording"))
    load_questionnaire(path)

    assert get_definition(questionnaire_id).questions["A1"].text == "New wording"
