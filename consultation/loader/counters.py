"""Answer counters: how the responses app tells the loader how many answers exist."""

from collections import Counter
from collections.abc import Callable

from consultation.models import (
    Questionnaire,
)

# --- Answer counters -----------------------------------------------------------------------------

AnswerCounter = Callable[[Questionnaire, set[str]], dict[str, int]]
_answer_counters: list[AnswerCounter] = []


def register_answer_counter(counter: AnswerCounter) -> None:
    """Register `counter(questionnaire, question_codes) -> {code: number of answers}`.

    The responses app calls this from its AppConfig.ready(), so that the loader can refuse
    structure changes that would orphan answers without importing that app.
    """
    if counter not in _answer_counters:
        _answer_counters.append(counter)


def unregister_answer_counter(counter: AnswerCounter) -> None:
    """Remove a counter registered with `register_answer_counter` (tests use this)."""
    if counter in _answer_counters:
        _answer_counters.remove(counter)


def count_answers(questionnaire: Questionnaire, question_codes: set[str]) -> dict[str, int]:
    """How many answers exist per question code, according to every registered counter."""
    totals: Counter[str] = Counter()
    for counter in _answer_counters:
        totals.update(counter(questionnaire, set(question_codes)))
    return dict(totals)
