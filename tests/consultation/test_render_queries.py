"""Rendering a section costs a fixed number of queries, whatever its number of questions."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consultation.definition import QuestionnaireDef, forget_definition
from consultation.loader import load_questionnaire
from consultation.models import Questionnaire
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FREQUENCY = [{"code": "annual", "label": "Annual"}, {"code": "other", "label": "Other"}]
RANKED = [{"code": f"S{number:02d}", "label": f"Source {number}"} for number in range(1, 19)]


class NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def questions(count: int) -> list[dict[str, Any]]:
    """`count` questions of every kind in turn, grids of each row source among them.

    Conditions name earlier questions; derived grids take their rows from an earlier grid.
    """
    made: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        code = f"Q{number}"
        kind = number % 10
        question: dict[str, Any] = {"code": code, "text": f"Question {number}"}
        if kind == 1:
            question.update(kind="yes_no", required=True)
        elif kind == 2:
            question.update(
                kind="integer",
                validation={"min": 0, "max": 1000},
                special_values="all",
                show_if={"question": f"Q{number - 1}", "eq": "yes"},
            )
        elif kind == 3:
            question.update(kind="single_choice", choices="source")
        elif kind == 4:
            question.update(kind="multiple_choice", choices="source")
        elif kind == 5:
            question.update(
                kind="grid",
                rows="source",
                columns=[
                    {"code": "exists", "label": "Exists", "kind": "yes_no"},
                    {
                        "code": "periodicity",
                        "label": "Periodicity",
                        "kind": "single_choice",
                        "choices": FREQUENCY,
                        "show_if": {"column": "exists", "eq": "yes"},
                    },
                    {
                        "code": "latest",
                        "label": "Latest year",
                        "kind": "year",
                        "special_values": ["not_available"],
                    },
                ],
            )
        elif kind == 6:
            question.update(
                kind="grid",
                rows={"respondent": True, "max": 5},
                columns=[
                    {"code": "name", "label": "Name", "kind": "text", "required": True},
                    {
                        "code": "sources",
                        "label": "Sources",
                        "kind": "multiple_choice",
                        "choices": "source",
                    },
                ],
            )
        elif kind == 7:
            question.update(
                kind="grid",
                rows={"from": f"Q{number - 2}", "where": {"column": "exists", "eq": "yes"}},
                columns=[{"code": "quality", "label": "Quality", "kind": "text"}],
            )
        elif kind == 8:
            # A ranking has no "other" option: the loader refuses one.
            question.update(kind="ranking", choices=RANKED, validation={"max_choices": 3})
        elif kind == 9:
            question.update(kind="date", show_if={"cell": f"Q{number - 4}.S01.exists", "eq": "yes"})
        else:
            question.update(kind="long_text", note=False)
        made.append(question)
    return made  # fmt: skip


@pytest.fixture
def write_questionnaire(tmp_path: Path) -> Callable[[str, int], Questionnaire]:
    def write(code: str, count: int) -> Questionnaire:
        data = {
            "code": code,
            "title": f"Questionnaire with {count} questions",
            "choice_lists": {
                "source": [
                    {"code": f"S{number:02d}", "label": f"Source {number}"}
                    for number in range(1, 19)
                ]
                + [{"code": "S19", "label": "Other source", "other": True}]
            },
            "sections": [{"code": "A", "title": "All questions", "questions": questions(count)}],
        }
        path = tmp_path / f"{code}.yaml"
        # Written out in full: the loader refuses YAML aliases, which PyYAML would use for
        # the lists shared by several questions.
        path.write_text(yaml.dump(data, Dumper=NoAliases, sort_keys=False), encoding="utf-8")
        load_questionnaire(path)
        return Questionnaire.objects.get(code=code)

    return write


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(UserFactory(username="staff@un.org", is_staff=True))
    return client


def queries_to_render(client: Client, questionnaire: str, section: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/preview/{questionnaire}/{section}/")
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_generated_sections_have_the_expected_size(
    write_questionnaire: Callable[[str, int], Questionnaire], staff_client: Client
) -> None:
    write_questionnaire("hundred", 100)

    html = staff_client.get("/preview/hundred/A/").content.decode()

    assert html.count('<section class="question') == 100
    assert html.count("<table") == 30
    # Hidden: 10 integers (their yes/no is blank), 10 dates, 10 derived grids without rows.
    assert html.count(" hidden>") - html.count('<div class="cell" hidden>') == 30


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_a_section_costs_the_same_queries_with_10_or_100_questions(
    cache: str,
    write_questionnaire: Callable[[str, int], Questionnaire],
    staff_client: Client,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    small = write_questionnaire("ten", 10)
    large = write_questionnaire("hundred", 100)
    counts = {}
    for questionnaire in (small, large):
        queries_to_render(staff_client, questionnaire.code, "A")  # sessions, caches settle
        if cache == "cold":
            forget_definition(questionnaire.pk)
        counts[questionnaire.code] = queries_to_render(staff_client, questionnaire.code, "A")

    assert len(counts["ten"]) == len(counts["hundred"]), counts
    # Cold: the definition is read in one query per table, once.
    with django_assert_max_num_queries(14 if cache == "cold" else 7):
        queries_to_render(staff_client, "hundred", "A")
        if cache == "cold":
            forget_definition(large.pk)


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_the_largest_real_section_costs_the_same_queries_as_a_small_one(
    cache: str,
    questionnaire: QuestionnaireDef,
    write_questionnaire: Callable[[str, int], Questionnaire],
    staff_client: Client,
) -> None:
    small = write_questionnaire("ten", 10)
    counts = {}
    for code, pk, section in (
        (small.code, small.pk, "A"),
        (questionnaire.code, questionnaire.id, "D"),
    ):
        queries_to_render(staff_client, code, section)
        if cache == "cold":
            forget_definition(pk)
        counts[code] = len(queries_to_render(staff_client, code, section))

    # The real questionnaire also reads its list of countries, in one more query.
    extra = 1 if cache == "cold" else 0
    assert counts[questionnaire.code] == counts["ten"] + extra, counts


def test_the_print_page_costs_the_same_queries_for_a_larger_questionnaire(
    write_questionnaire: Callable[[str, int], Questionnaire], staff_client: Client
) -> None:
    counts = []
    for code, count in (("ten", 10), ("hundred", 100)):
        write_questionnaire(code, count)
        staff_client.get(f"/preview/{code}/print/")
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(f"/preview/{code}/print/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
