"""The lifecycles of rounds, country returns and assignments: every move locked, checked, recorded.

Each model's `TRANSITIONS` map (action -> statuses it starts from, status it leads to) is the whole
truth. `move_round`, `move_return` and `move_assignment` are the only code that writes a status:
they lock the row, check the move against the map, write the status and an event row (who, when,
from, to, note). The named workflows (open a round, submit a return, hand back a section...) call
them and queue their side effects with `transaction.on_commit`.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultation.models import Area, Round

from ..exceptions import IllegalTransition
from ..models import (
    Assignment,
    AssignmentEvent,
    Authority,
    CountryReturn,
    QuestionReopening,
    ReturnEvent,
    RoundEvent,
)

Actor = User | AnonymousUser | None

# What each action means for the person asking, to word a refusal.
_RETURN_VERBS = {
    CountryReturn.Action.START: gettext_lazy("started"),
    CountryReturn.Action.SUBMIT: gettext_lazy("submitted"),
    CountryReturn.Action.QUERY: gettext_lazy("queried"),
    CountryReturn.Action.RESUBMIT: gettext_lazy("submitted again"),
    CountryReturn.Action.ACCEPT: gettext_lazy("accepted"),
    CountryReturn.Action.REOPEN: gettext_lazy("reopened"),
}
_ROUND_VERBS = {
    Round.Action.OPEN: gettext_lazy("opened"),
    Round.Action.CLOSE: gettext_lazy("closed"),
}
_ASSIGNMENT_VERBS = {
    Assignment.Action.STARTED: gettext_lazy("started"),
    Assignment.Action.HANDED_BACK: gettext_lazy("handed back"),
    Assignment.Action.RECLAIMED: gettext_lazy("reclaimed"),
    Assignment.Action.REOPENED: gettext_lazy("reopened"),
    Assignment.Action.REFORWARDED: gettext_lazy("forwarded again"),
}


def _person(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _label(choices: type[models.TextChoices], status: str) -> str:
    return str(choices(status).label) if status in choices.values else status


# --- Rounds ---------------------------------------------------------------------------------


@transaction.atomic
def move_round(*, round_: Round, action: str, actor: Actor, note: str = "") -> RoundEvent:
    """Apply one action of Round.TRANSITIONS to the locked round and record it."""
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    sources, target = Round.TRANSITIONS[Round.Action(action)]
    if locked.status not in sources:
        raise IllegalTransition(
            _("The round “%(round)s” is “%(status)s”, so it cannot be %(verb)s.")
            % {
                "round": locked.name,
                "status": _label(Round.Status, locked.status),
                "verb": _ROUND_VERBS[Round.Action(action)],
            }
        )
    now = timezone.now()
    fields: dict[str, object] = {"status": target}
    if action == Round.Action.OPEN:
        fields["opened_at"] = now
    Round.objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(round_, name, value)
    return RoundEvent.objects.create(
        round=locked,
        action=action,
        old_status=locked.status,
        new_status=target,
        actor=_person(actor),
        note=note,
        created_at=now,
    )


def close_round(*, round_: Round, actor: Actor, note: str = "") -> RoundEvent:
    """Close an open round: from now on no reply of it can be changed (unless UNSD reopens one)."""
    return move_round(round_=round_, action=Round.Action.CLOSE, actor=actor, note=note)


def round_closed_at(round_: Round) -> object | None:
    """When the round was closed (its last "close" event), or None."""
    event = RoundEvent.objects.filter(round=round_, action=Round.Action.CLOSE).last()
    return event.created_at if event is not None else None


# --- Country returns ------------------------------------------------------------------------


@transaction.atomic
def create_return(*, round_: Round, country: Area) -> tuple[CountryReturn, bool]:
    """The country's return of the round, with the country's NSO: both exist from now on."""
    country_return, created = CountryReturn.objects.get_or_create(round=round_, country=country)
    ensure_nso(country)
    return country_return, created


def ensure_nso(country: Area) -> tuple[Authority, bool]:
    """The country's national statistical office, created with a default name if missing."""
    return Authority.objects.get_or_create(
        country=country,
        kind=Authority.Kind.NSO,
        defaults={"name": f"National statistical office of {country.name}"},
    )


@transaction.atomic
def move_return(
    *,
    country_return: CountryReturn,
    action: str,
    actor: Actor,
    note: str = "",
    subject: str = "",
) -> ReturnEvent:
    """Apply one action of CountryReturn.TRANSITIONS to the locked return and record it.

    Raises IllegalTransition (nothing changed) when the return is not in a status the action
    starts from: a second click on "Submit" finds the return submitted already.
    """
    locked = CountryReturn.objects.select_for_update().get(pk=country_return.pk)
    move = CountryReturn.Action(action)
    sources, target = CountryReturn.TRANSITIONS[move]
    if locked.status not in sources:
        raise IllegalTransition(
            _("This return is “%(status)s”, so it cannot be %(verb)s. Nothing was changed.")
            % {
                "status": _label(CountryReturn.Status, locked.status),
                "verb": _RETURN_VERBS[move],
            }
        )
    now = timezone.now()
    fields: dict[str, object] = {"status": target}
    if move in (CountryReturn.Action.SUBMIT, CountryReturn.Action.RESUBMIT):
        fields["submitted_at"] = now
    if move == CountryReturn.Action.REOPEN:
        fields["reopened_at"] = now
    CountryReturn.objects.filter(pk=locked.pk).update(**fields)
    for name, value in fields.items():
        setattr(country_return, name, value)
    if target != CountryReturn.Status.QUERIED:
        # What a query reopened closes once the return is handed in again, accepted or reopened.
        QuestionReopening.objects.filter(country_return=locked, closed_at__isnull=True).update(
            closed_at=now
        )
    return ReturnEvent.objects.create(
        country_return=locked,
        action=move,
        old_status=locked.status,
        new_status=target,
        actor=_person(actor),
        note=note,
        subject=subject[:300],
        created_at=now,
    )


def record_return_event(
    *, country_return: CountryReturn, action: str, actor: Actor, note: str = "", subject: str = ""
) -> ReturnEvent:
    """A step on the return's timeline that changes no status (a query answered, a correction)."""
    return ReturnEvent.objects.create(
        country_return=country_return,
        action=ReturnEvent.Action(action),
        old_status=country_return.status,
        new_status=country_return.status,
        actor=_person(actor),
        note=note,
        subject=subject[:300],
    )


def start_return(*, country_return: CountryReturn, actor: Actor) -> ReturnEvent | None:
    """The first saved answer moves a return not started to in progress (once; else nothing)."""
    if country_return.status != CountryReturn.Status.NOT_STARTED:
        return None
    with transaction.atomic():
        locked = CountryReturn.objects.select_for_update().get(pk=country_return.pk)
        if locked.status != CountryReturn.Status.NOT_STARTED:
            country_return.status = locked.status
            return None
        return move_return(
            country_return=country_return, action=CountryReturn.Action.START, actor=actor
        )


def reopen_question(
    *,
    country_return: CountryReturn,
    authority: Authority,
    question_id: int,
    actor: Actor,
    note: str = "",
) -> QuestionReopening:
    """Let one authority correct one question of a queried return (nothing else opens)."""
    reopening, _created = QuestionReopening.objects.get_or_create(
        country_return=country_return,
        authority=authority,
        question_id=question_id,
        closed_at__isnull=True,
        defaults={"opened_by": _person(actor), "note": note},
    )
    return reopening


# --- Assignments ----------------------------------------------------------------------------


@transaction.atomic
def move_assignment(
    *,
    assignment: Assignment,
    action: str,
    actor: Actor,
    note: str = "",
) -> AssignmentEvent:
    """Apply one action of Assignment.TRANSITIONS to the locked assignment and record it."""
    current = (
        Assignment.objects.select_for_update()
        .select_related("section", "authority")
        .get(pk=assignment.pk)
    )
    move = Assignment.Action(action)
    sources, target = Assignment.TRANSITIONS[move]
    old = current.status
    if old not in sources:
        raise IllegalTransition(
            _(
                "Section %(section)s of %(authority)s is “%(status)s”, so it cannot be "
                "%(verb)s. Nothing was changed."
            )
            % {
                "section": current.section.code,
                "authority": current.authority.name,
                "status": _label(Assignment.Status, old),
                "verb": _ASSIGNMENT_VERBS.get(move, move.label),
            }
        )
    now = timezone.now()
    fields: dict[str, object] = {"status": target}
    if target == Assignment.Status.HANDED_BACK:
        fields["handed_back_at"] = now
    elif old == Assignment.Status.HANDED_BACK:
        fields["handed_back_at"] = None
    Assignment.objects.filter(pk=current.pk).update(**fields)
    for name, value in fields.items():
        setattr(assignment, name, value)
    return AssignmentEvent.objects.create(
        assignment=current,
        action=move,
        old_status=old,
        new_status=target,
        actor=_person(actor),
        note=note,
    )
