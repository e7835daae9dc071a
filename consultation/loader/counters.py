"""Answer counters: how the responses app tells the loader how many answers exist."""

from collections import Counter
from collections.abc import Callable, Mapping

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


# --- Choice counters -----------------------------------------------------------------------------

# (question code, column code or "") -> the choice codes a load would remove there.
ChoiceUses = Mapping[tuple[str, str], set[str]]
ChoiceCounter = Callable[[Questionnaire, ChoiceUses], dict[tuple[str, str], int]]
_choice_counters: list[ChoiceCounter] = []


def register_choice_counter(counter: ChoiceCounter) -> None:
    """Register `counter(questionnaire, {(question, column): codes}) -> {(question, column): n}`.

    `n` is how many stored answers of that question (or grid column) chose one of the codes:
    removing a choice they use is refused, since the next save would drop the answer.
    """
    if counter not in _choice_counters:
        _choice_counters.append(counter)


def unregister_choice_counter(counter: ChoiceCounter) -> None:
    """Remove a counter registered with `register_choice_counter` (tests use this)."""
    if counter in _choice_counters:
        _choice_counters.remove(counter)


def count_choice_uses(
    questionnaire: Questionnaire, removed: ChoiceUses
) -> dict[tuple[str, str], int]:
    """How many answers use a removed choice, per (question, column), by every counter."""
    totals: Counter[tuple[str, str]] = Counter()
    for counter in _choice_counters:
        totals.update(counter(questionnaire, removed))
    return dict(totals)
