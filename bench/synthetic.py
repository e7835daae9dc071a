"""A full round of synthetic answers for the benchmarks: every question and cell answered.

Each country gets a return, an NSO and an interior ministry holding one section; the NSO's
reply (the consolidated return the exports read, see consolidation.exports.source) answers
every question and every cell, a few with special values or footnotes.
"""

import datetime
import random
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from consultation.definition import ChoiceDef, QuestionnaireDef
from consultation.formbuilder import LABEL_COLUMN, respondent_row_code
from consultation.models import Area, Kind, Question, Round, Section
from responses.models import Answer, Assignment, Authority, CountryReturn

RESPONDENT_ROWS = 5
BATCH = 5000
STATUSES = [
    CountryReturn.Status.NOT_STARTED,
    CountryReturn.Status.IN_PROGRESS,
    CountryReturn.Status.SUBMITTED,
    CountryReturn.Status.ACCEPTED,
]


def synthetic_value(kind: str, choices: tuple[ChoiceDef, ...], rng: random.Random, tag: str) -> Any:
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        return f"Synthetic answer {tag} é ü ø"
    if kind == Kind.EMAIL:
        return "person@example.org"
    if kind == Kind.URL:
        return "https://www.example.org/statistics"
    if kind == Kind.INTEGER:
        return rng.randint(0, 2_000_000)
    if kind in (Kind.DECIMAL, Kind.PERCENTAGE):
        return f"{rng.uniform(0, 100):.2f}"
    if kind == Kind.YEAR:
        return rng.randint(1990, 2026)
    if kind == Kind.DATE:
        return (
            datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 2000))
        ).isoformat()
    if kind == Kind.CHECKBOX:
        return True
    if kind == Kind.YES_NO:
        return rng.choice(["yes", "yes", "no", "dont_know"])
    plain = [choice for choice in choices if not choice.is_exclusive] or list(choices)
    if not plain:
        return None
    if kind == Kind.SINGLE_CHOICE:
        choice = rng.choice(plain)
        return {"choice": choice.code, "other": "Other source"} if choice.is_other else choice.code
    if kind == Kind.RANKING:
        return [choice.code for choice in rng.sample(plain, min(3, len(plain)))]
    picked = [c for c in plain if rng.random() < 0.4] or [plain[0]]
    codes = [choice.code for choice in picked]
    if any(choice.is_other for choice in picked):
        return {"choices": codes, "other": "Other, specified"}
    return codes


def answer_keys(questionnaire: QuestionnaireDef) -> Iterator[tuple[Any, str, str, str, tuple]]:
    """(question, row, column, kind, choices) of every question and cell of a full return."""
    questions = questionnaire.questions
    for question in questions.values():
        if not question.is_grid:
            yield question, "", "", question.kind, question.choices
            continue
        if question.row_source == Question.RowSource.RESPONDENT:
            rows = [respondent_row_code(n) for n in range(1, RESPONDENT_ROWS + 1)]
        elif question.row_source == Question.RowSource.DERIVED:
            source = questions.get(question.rows_from.get("question", ""))
            if source is None:
                rows = []
            elif source.row_source == Question.RowSource.RESPONDENT:
                rows = [respondent_row_code(n) for n in range(1, RESPONDENT_ROWS + 1)]
            else:
                rows = [row.code for row in source.rows]
        else:
            rows = [row.code for row in question.rows]
        for row in rows:
            if question.row_source == Question.RowSource.RESPONDENT or any(
                r.code == row and r.is_other for r in question.rows
            ):
                yield question, row, LABEL_COLUMN, Kind.TEXT, ()
            for column in question.columns:
                yield question, row, column.code, column.kind, column.choices


@transaction.atomic
def generate_round(
    round_: Round, questionnaire: QuestionnaireDef, countries: int, seed: int = 1
) -> int:
    """Returns and full NSO replies for the first `countries` countries; the answers written."""
    rng = random.Random(seed)
    now = timezone.now()
    keys = list(answer_keys(questionnaire))
    areas = list(Area.objects.filter(level=Area.Level.COUNTRY).order_by("m49_code")[:countries])
    section = Section.objects.filter(questionnaire_id=questionnaire.id).order_by("position").last()
    written = 0
    batch: list[Answer] = []
    for index, area in enumerate(areas):
        country_return, _created = CountryReturn.objects.get_or_create(
            round=round_, country=area, defaults={"status": STATUSES[index % len(STATUSES)]}
        )
        nso, _created = Authority.objects.get_or_create(
            country=area, kind=Authority.Kind.NSO, defaults={"name": f"NSO of {area.name}"}
        )
        interior, _created = Authority.objects.get_or_create(
            country=area, name=f"Ministry of Interior of {area.name}", defaults={"kind": "interior"}
        )
        Assignment.objects.get_or_create(
            country_return=country_return,
            section=section,
            authority=interior,
            defaults={"due_date": datetime.date(2026, 6, 30), "status": "in_progress"},
        )
        for question, row, column, kind, choices in keys:
            special = ""
            value = None
            if question.special_values and rng.random() < 0.05 and column != LABEL_COLUMN:
                special = question.special_values[0]
            else:
                value = synthetic_value(kind, choices, rng, f"{area.iso3} {question.code}")
            if value is None and not special:
                continue
            batch.append(
                Answer(
                    country_return=country_return,
                    authority=nso,
                    question_id=question.id,
                    row_code=row,
                    column_code=column,
                    value=value,
                    status=special,
                    note="Footnote: source year 2024" if rng.random() < 0.02 else "",
                    version=1,
                    updated_at=now,
                )
            )
            if len(batch) >= BATCH:
                Answer.objects.bulk_create(batch, ignore_conflicts=True)
                written += len(batch)
                batch = []
    Answer.objects.bulk_create(batch, ignore_conflicts=True)
    return written + len(batch)
