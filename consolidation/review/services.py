"""Submission and UNSD review: check your answers, submit, queries, corrections, accept, reopen.

Every status change goes through responses.returns.lifecycle (locked, checked, an event row);
every other step is an event on the return's timeline too. E-mails go through the outbox, sent
once the transaction commits. Nothing UNSD does changes an answer: a proposed correction changes
the consolidated answer only when the country accepts it (channel "correction").
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation import conditions
from consultation.answers import LABEL_COLUMN, AnswerKey, AnswerValue, comparable_answers
from consultation.definition import QuestionDef, QuestionnaireDef, SectionDef, get_definition
from consultation.formbuilder import resolve_grid_rows
from consultation.models import Question
from responses import access
from responses.answers.services import AnswerEdit, save_answers
from responses.models import (
    AnswerChange,
    Authority,
    CountryReturn,
    Membership,
    ReturnEvent,
)
from responses.notifications.queue import plain_subject, queue_email
from responses.returns.lifecycle import move_return, record_return_event, reopen_question

from ..models import Correction, QueryMessage, ReviewQuery
from ..services import (
    ConsolidatedAnswer,
    ConsolidatedStatus,
    Consolidation,
    consolidate_return,
    standing_separate_returns,
)
from .exceptions import ReviewRefused, SubmissionRefused

# --- Check your answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Something that stops the return being submitted, and where it is fixed."""

    class Kind:
        MISSING = "missing"
        CONFLICT = "conflict"
        OUT_OF_DATE = "out_of_date"

    kind: str
    section_code: str
    key: AnswerKey
    label: str

    @property
    def description(self) -> str:
        if self.kind == Gap.Kind.CONFLICT:
            return _("The replies differ: choose the country's answer.")
        if self.kind == Gap.Kind.OUT_OF_DATE:
            return _("A reply changed after the conflict was settled: confirm or choose again.")
        return _("Required, and not answered (give a value or a special value).")


@dataclass
class SectionCheck:
    """One section of the check-your-answers page: its consolidated answers and its gaps."""

    section: SectionDef
    answers: list[ConsolidatedAnswer] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class CheckAnswers:
    """The whole return as it would be submitted."""

    consolidation: Consolidation
    sections: list[SectionCheck]

    @property
    def gaps(self) -> list[Gap]:
        return [gap for section in self.sections for gap in section.gaps]


def key_label(questionnaire: QuestionnaireDef, key: AnswerKey) -> str:
    """A key in words: "B6", "C1 · Population register · exists"."""
    code, row, column = key
    question = questionnaire.questions.get(code)
    if question is None or not (row or column):
        return code
    row_label = next((r.label for r in question.rows if r.code == row), row)
    if column == LABEL_COLUMN:
        column_label = _("name")
    else:
        grid_column = question.column(column)
        column_label = grid_column.label if grid_column is not None else column
    return f"{code} · {row_label} · {column_label}"


def _missing_required(
    section: SectionDef,
    questions: dict[str, QuestionDef],
    values: dict[AnswerKey, AnswerValue],
) -> list[QuestionDef]:
    """Required questions shown (their condition true on the consolidated answers), unanswered."""
    lookup = conditions.AnswerLookup(comparable_answers(values))
    rows = resolve_grid_rows(section, questions, values)
    answered = {
        code
        for (code, _row, column), value in values.items()
        if value.is_answered and column != LABEL_COLUMN
    }
    missing = []
    for question in section.questions:
        if not question.required or question.code in answered:
            continue
        if not conditions.evaluate(question.show_if, lookup):
            continue
        if question.row_source == Question.RowSource.DERIVED and not rows.get(question.code):
            continue
        missing.append(question)
    return missing


def check_answers(*, country_return: CountryReturn) -> CheckAnswers:
    """Every section's consolidated answers and gaps (a fixed number of queries)."""
    consolidation = consolidate_return(country_return=country_return)
    questionnaire = consolidation.questionnaire
    # Separate returns are submitted as each authority gave them: nothing is merged, so replies
    # that differ are not conflicts to resolve first.
    merged = standing_separate_returns(country_return) is None
    values: dict[AnswerKey, AnswerValue] = {}
    for key, answer in consolidation.answers.items():
        if answer.value is not None:
            values[key] = answer.value
        elif answer.sources and answer.status in (
            ConsolidatedStatus.PER_AUTHORITY,
            ConsolidatedStatus.CONFLICT,
        ):
            # A question about each institution is answered once any of them answered it; a
            # conflict is answered, differently: it is listed as a conflict, not as missing.
            values[key] = answer.sources[0].value
    sections = []
    for section in questionnaire.sections:
        check = SectionCheck(section, consolidation.of_section(section))
        for question in _missing_required(section, questionnaire.questions, values):
            key = (question.code, "", "")
            check.gaps.append(Gap(Gap.Kind.MISSING, section.code, key, question.code))
        for answer in check.answers if merged else ():
            if answer.status == ConsolidatedStatus.CONFLICT:
                kind = Gap.Kind.CONFLICT
            elif answer.status == ConsolidatedStatus.OUT_OF_DATE:
                kind = Gap.Kind.OUT_OF_DATE
            else:
                continue
            label = key_label(questionnaire, answer.key)
            check.gaps.append(Gap(kind, section.code, answer.key, label))
        sections.append(check)
    return CheckAnswers(consolidation, sections)


# --- Who is told ----------------------------------------------------------------------------------


def _focal_point_emails(country_return: CountryReturn) -> list[str]:
    return sorted(set(Membership.objects.focal_point_emails(country_return)))


def _unsd_emails() -> list[str]:
    emails = (
        Membership.objects.filter(
            role__in=[Membership.Role.UNSD_REVIEWER, Membership.Role.UNSD_ADMIN],
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def _respondent_emails(country_return: CountryReturn, authority_ids: Iterable[int]) -> list[str]:
    emails = (
        Membership.objects.filter(
            role=Membership.Role.RESPONDENT,
            country_return=country_return,
            authority_id__in=list(authority_ids),
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def _person(user: User | None) -> str:
    if user is None or not user.is_authenticated:
        return ""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or getattr(user, "email", "")


def _return_url(country_return: CountryReturn) -> str:
    return reverse("responses:return-overview", args=[country_return.pk])


def _query_url(query: ReviewQuery) -> str:
    return reverse("review:query", args=[query.country_return_id, query.pk])


def _tell(
    *, to: Iterable[str], subject: str, template: str, context: dict, copied: Iterable[str] = ()
) -> None:
    """One outbox e-mail for each addressee (the outbox sends to one address at a time)."""
    sent = set()
    for email in [*to, *copied]:
        if email in sent:
            continue
        sent.add(email)
        queue_email(to=email, subject=plain_subject(subject), template=template, context=context)


# --- Submission -----------------------------------------------------------------------------------


def _locked(country_return: CountryReturn) -> CountryReturn:
    locked = (
        CountryReturn.objects.select_for_update(of=("self",))
        .select_related("round", "country")
        .get(pk=country_return.pk)
    )
    country_return.status = locked.status
    return locked


@transaction.atomic
def submit_return(*, country_return: CountryReturn, user: User, declaration: bool) -> ReturnEvent:
    """Hand the consolidated return in to UNSD, if it has no gap and the declaration is made.

    Refused (SubmissionRefused, naming every gap) while a required question is unanswered, a
    conflict is open or a decision is out of date. A return queried by UNSD is submitted again.
    The row is locked first: a second click finds the return submitted and changes nothing.
    UNSD is told by e-mail after the commit; from then on the return is read-only for the country.
    """
    if not access.is_focal_point(user, country_return):
        raise ReviewRefused(_("Only the country's focal point can submit the return."))
    locked = _locked(country_return)
    if locked.status in (CountryReturn.Status.SUBMITTED, CountryReturn.Status.ACCEPTED):
        raise SubmissionRefused(_("This return has been submitted already. Nothing was changed."))
    if not declaration:
        raise SubmissionRefused(_("Confirm the declaration to submit the return."))
    gaps = check_answers(country_return=locked).gaps
    if gaps:
        raise SubmissionRefused(
            _("The return cannot be submitted yet: %(gaps)s.")
            % {"gaps": "; ".join(f"{gap.section_code} {gap.label}" for gap in gaps)},
            gaps=gaps,
        )
    action = (
        CountryReturn.Action.RESUBMIT
        if locked.status == CountryReturn.Status.QUERIED
        else CountryReturn.Action.SUBMIT
    )
    event = move_return(country_return=country_return, action=action, actor=user)
    _tell(
        to=_unsd_emails(),
        subject=_("%(country)s submitted its return") % {"country": locked.country.name},
        template="consolidation/emails/return_submitted.txt",
        context={
            "country": locked.country.name,
            "round": locked.round.name,
            "again": action == CountryReturn.Action.RESUBMIT,
            "submitted_by": _person(user),
            "review_url": reverse("review:review", args=[locked.pk]),
        },
    )
    return event


# --- Queries --------------------------------------------------------------------------------------


def _require_unsd(user: User) -> None:
    if not access.is_unsd(user):
        raise ReviewRefused(_("Only UNSD reviewers can do this."))


def _require_under_review(country_return: CountryReturn) -> None:
    if country_return.status not in (CountryReturn.Status.SUBMITTED, CountryReturn.Status.QUERIED):
        raise ReviewRefused(
            _("This return is “%(status)s”: it is not under review. Nothing was changed.")
            % {"status": country_return.get_status_display()}
        )


def _question_of(questionnaire: QuestionnaireDef, key: AnswerKey) -> QuestionDef:
    code, row, column = key
    question = questionnaire.questions.get(code)
    if question is None:
        raise ReviewRefused(_("This question is not in the questionnaire."))
    if (row or column) and not question.is_grid:
        raise ReviewRefused(_("This question has no rows or columns."))
    if question.is_grid and column and column != LABEL_COLUMN and question.column(column) is None:
        raise ReviewRefused(_("This grid has no such column."))
    return question


def suppliers(country_return: CountryReturn, answer: ConsolidatedAnswer | None) -> list[int]:
    """Who supplied the answer: the authorities it was taken from, else the NSO."""
    if answer is not None:
        taken = [source for source in answer.sources if source.authority_id in answer.taken_from]
        if taken:
            return [source.authority_id for source in taken]
        if answer.status == ConsolidatedStatus.PER_AUTHORITY and answer.sources:
            return [source.authority_id for source in answer.sources]
    return [access.nso_of(country_return).pk]


@transaction.atomic
def raise_query(
    *, country_return: CountryReturn, key: AnswerKey, user: User, message: str
) -> ReviewQuery:
    """A reviewer asks about one answer (a question or a cell) of a submitted return.

    The query goes to whoever supplied the answer, the focal point copied; a submitted return
    becomes "queried".
    """
    _require_unsd(user)
    message = message.strip()
    if not message:
        raise ReviewRefused(_("Write the question you have about this answer."))
    locked = _locked(country_return)
    _require_under_review(locked)
    consolidation = consolidate_return(country_return=locked)
    question = _question_of(consolidation.questionnaire, key)
    answer = consolidation.answers.get(key)
    routed = suppliers(locked, answer)
    query = ReviewQuery.objects.create(
        country_return=locked,
        question_id=question.id,
        row_code=key[1],
        column_code=key[2],
        raised_by=user,
    )
    query.routed_to.set(routed)
    QueryMessage.objects.create(query=query, author=user, from_unsd=True, body=message)
    label = key_label(consolidation.questionnaire, key)
    if locked.status == CountryReturn.Status.SUBMITTED:
        move_return(country_return=country_return, action=CountryReturn.Action.QUERY, actor=user)
    record_return_event(
        country_return=country_return,
        action=ReturnEvent.Action.QUERY_RAISED,
        actor=user,
        subject=label,
        note=message,
    )
    nso = access.nso_of(locked)
    respondents = [pk for pk in routed if pk != nso.pk]
    _tell(
        to=_respondent_emails(locked, respondents),
        copied=_focal_point_emails(locked),
        subject=_("UNSD has a question about %(question)s (%(country)s)")
        % {"question": label, "country": locked.country.name},
        template="consolidation/emails/query_raised.txt",
        context={
            "country": locked.country.name,
            "question": label,
            "message": message,
            "reviewer": _person(user),
            "query_url": _query_url(query),
        },
    )
    return query


def _move_query(query: ReviewQuery, action: str, **fields: object) -> None:
    """Apply one action of ReviewQuery.TRANSITIONS to the (locked) query."""
    sources, target = ReviewQuery.TRANSITIONS[ReviewQuery.Action(action)]
    if query.status not in sources:
        raise ReviewRefused(
            _("This query is “%(status)s”. Nothing was changed.")
            % {"status": query.get_status_display()}
        )
    ReviewQuery.objects.filter(pk=query.pk).update(status=target, **fields)
    query.status = target


def queries_visible_to(user: User, country_return: CountryReturn) -> "list[ReviewQuery]":
    """The return's queries the user may read: all for UNSD and focal points; else its own."""
    queries = (
        ReviewQuery.objects.filter(country_return=country_return)
        .select_related("question", "raised_by")
        .prefetch_related("routed_to")
    )
    if access.is_unsd(user) or access.is_focal_point(user, country_return):
        return list(queries)
    authorities = access.respondent_authorities(user, country_return.pk)
    return list(queries.filter(routed_to__in=authorities).distinct())


def get_query(user: User, country_return: CountryReturn, query_id: int) -> ReviewQuery:
    """The query, if the user may read it; else ReviewQuery.DoesNotExist."""
    queries = ReviewQuery.objects.filter(country_return=country_return, pk=query_id)
    if not (access.is_unsd(user) or access.is_focal_point(user, country_return)):
        authorities = access.respondent_authorities(user, country_return.pk)
        queries = queries.filter(routed_to__in=authorities)
    return queries.select_related("question", "country_return__country").distinct().get()


def answering_authority(user: User, query: ReviewQuery) -> Authority | None:
    """The authority on whose behalf the user answers the query (None: not theirs to answer)."""
    routed = {authority.pk: authority for authority in query.routed_to.all()}
    if access.is_focal_point(user, query.country_return):
        nso = access.nso_of(query.country_return)
        return routed.get(nso.pk, nso)
    for authority_id in access.respondent_authorities(user, query.country_return_id):
        if authority_id in routed:
            return routed[authority_id]
    return None


@transaction.atomic
def reply_to_query(*, query: ReviewQuery, user: User, message: str) -> QueryMessage:
    """A message in the query's thread: from the country (it is answered) or from UNSD (open)."""
    message = message.strip()
    if not message:
        raise ReviewRefused(_("Write your message."))
    locked = ReviewQuery.objects.select_for_update().get(pk=query.pk)
    if locked.status == ReviewQuery.Status.RESOLVED:
        raise ReviewRefused(_("This query is resolved. Nothing was sent."))
    country_return = query.country_return
    from_unsd = access.is_unsd(user) and not access.is_focal_point(user, country_return)
    if not from_unsd and answering_authority(user, locked) is None:
        raise ReviewRefused(_("This query is not about your answers."))
    posted = QueryMessage.objects.create(
        query=locked, author=user, from_unsd=from_unsd, body=message
    )
    _move_query(
        locked,
        ReviewQuery.Action.UNSD_REPLIED if from_unsd else ReviewQuery.Action.COUNTRY_REPLIED,
    )
    query.status = locked.status
    questionnaire = get_definition(country_return.round.questionnaire_id)
    label = key_label(questionnaire, locked.key)
    record_return_event(
        country_return=country_return,
        action=ReturnEvent.Action.QUERY_REPLIED,
        actor=user,
        subject=label,
        note=message,
    )
    if from_unsd:
        nso = access.nso_of(country_return)
        respondents = [a.pk for a in locked.routed_to.all() if a.pk != nso.pk]
        to, copied = (
            _respondent_emails(country_return, respondents),
            _focal_point_emails(country_return),
        )
    else:
        raised_by = getattr(locked.raised_by, "email", "")
        to, copied = ([raised_by] if raised_by else _unsd_emails()), []
    _tell(
        to=to,
        copied=copied,
        subject=_("New message on the query about %(question)s (%(country)s)")
        % {"question": label, "country": country_return.country.name},
        template="consolidation/emails/query_message.txt",
        context={
            "country": country_return.country.name,
            "question": label,
            "message": message,
            "author": _person(user),
            "query_url": _query_url(locked),
        },
    )
    return posted


@transaction.atomic
def correct_answer_for_query(*, query: ReviewQuery, user: User) -> Authority:
    """Reopen only the queried question, for the authority that answers it, to correct it."""
    country_return = _locked(query.country_return)
    if country_return.status != CountryReturn.Status.QUERIED:
        raise ReviewRefused(_("This return is not queried: nothing can be reopened."))
    if query.status == ReviewQuery.Status.RESOLVED:
        raise ReviewRefused(_("This query is resolved."))
    authority = answering_authority(user, query)
    if authority is None:
        raise ReviewRefused(_("This query is not about your answers."))
    reopen_question(
        country_return=country_return,
        authority=authority,
        question_id=query.question_id,
        actor=user,
        note=_("To answer a query from UNSD."),
    )
    questionnaire = get_definition(country_return.round.questionnaire_id)
    record_return_event(
        country_return=country_return,
        action=ReturnEvent.Action.QUESTION_REOPENED,
        actor=user,
        subject=f"{key_label(questionnaire, query.key)} · {authority.name}",
    )
    return authority


@transaction.atomic
def resolve_query(*, query: ReviewQuery, user: User, note: str = "") -> ReviewQuery:
    """The reviewer is satisfied: the query is closed."""
    _require_unsd(user)
    locked = ReviewQuery.objects.select_for_update().get(pk=query.pk)
    now = timezone.now()
    _move_query(locked, ReviewQuery.Action.RESOLVE, resolved_by=user, resolved_at=now)
    query.status, query.resolved_at = locked.status, now
    if note.strip():
        QueryMessage.objects.create(query=locked, author=user, from_unsd=True, body=note.strip())
    questionnaire = get_definition(query.country_return.round.questionnaire_id)
    record_return_event(
        country_return=query.country_return,
        action=ReturnEvent.Action.QUERY_RESOLVED,
        actor=user,
        subject=key_label(questionnaire, locked.key),
        note=note.strip(),
    )
    return query


# --- Accept or reopen -------------------------------------------------------------------------


@transaction.atomic
def accept_return(*, country_return: CountryReturn, user: User, note: str = "") -> ReturnEvent:
    """UNSD accepts a submitted return whose queries are all resolved; the country is told."""
    _require_unsd(user)
    locked = _locked(country_return)
    open_queries = ReviewQuery.objects.filter(country_return=locked).exclude(
        status=ReviewQuery.Status.RESOLVED
    )
    if open_queries.exists():
        raise ReviewRefused(
            _("%(count)d queries are not resolved yet: resolve them before accepting.")
            % {"count": open_queries.count()}
        )
    pending = Correction.objects.filter(country_return=locked, status=Correction.Status.PROPOSED)
    if pending.exists():
        raise ReviewRefused(_("A proposed correction waits for the country's decision."))
    event = move_return(
        country_return=country_return, action=CountryReturn.Action.ACCEPT, actor=user, note=note
    )
    _tell(
        to=_focal_point_emails(locked),
        subject=_("UNSD accepted the return of %(country)s") % {"country": locked.country.name},
        template="consolidation/emails/return_accepted.txt",
        context={
            "country": locked.country.name,
            "round": locked.round.name,
            "note": note,
            "return_url": _return_url(locked),
        },
    )
    return event


@transaction.atomic
def reopen_return(*, country_return: CountryReturn, user: User, reason: str) -> ReturnEvent:
    """UNSD gives the whole return back to the country, saying why; the country is told."""
    _require_unsd(user)
    reason = reason.strip()
    if not reason:
        raise ReviewRefused(_("Say why the return is reopened: the country reads it."))
    locked = _locked(country_return)
    event = move_return(
        country_return=country_return, action=CountryReturn.Action.REOPEN, actor=user, note=reason
    )
    _tell(
        to=_focal_point_emails(locked),
        subject=_("UNSD reopened the return of %(country)s") % {"country": locked.country.name},
        template="consolidation/emails/return_reopened.txt",
        context={
            "country": locked.country.name,
            "reason": reason,
            "return_url": _return_url(locked),
        },
    )
    return event


# --- Corrections ----------------------------------------------------------------------------------


@transaction.atomic
def propose_correction(
    *,
    country_return: CountryReturn,
    key: AnswerKey,
    user: User,
    value: AnswerValue,
    reason: str,
) -> Correction:
    """UNSD proposes a new value for a submitted answer; it changes nothing until accepted."""
    _require_unsd(user)
    reason = reason.strip()
    if not reason:
        raise ReviewRefused(_("Say why you propose this correction: the country reads it."))
    if value.is_blank:
        raise ReviewRefused(_("Give the value you propose."))
    locked = _locked(country_return)
    _require_under_review(locked)
    questionnaire = get_definition(locked.round.questionnaire_id)
    question = _question_of(questionnaire, key)
    correction = Correction.objects.create(
        country_return=locked,
        question_id=question.id,
        row_code=key[1],
        column_code=key[2],
        value=value.value,
        special_value=value.status or "",
        reason=reason,
        proposed_by=user,
    )
    label = key_label(questionnaire, key)
    record_return_event(
        country_return=country_return,
        action=ReturnEvent.Action.CORRECTION_PROPOSED,
        actor=user,
        subject=label,
        note=reason,
    )
    _tell(
        to=_focal_point_emails(locked),
        subject=_("UNSD proposes a correction to %(question)s (%(country)s)")
        % {"question": label, "country": locked.country.name},
        template="consolidation/emails/correction_proposed.txt",
        context={
            "country": locked.country.name,
            "question": label,
            "reason": reason,
            "correction_url": reverse("review:correction", args=[locked.pk, correction.pk]),
        },
    )
    return correction


def _decide(correction: Correction, user: User) -> tuple[Correction, CountryReturn]:
    country_return = _locked(correction.country_return)
    if not access.is_focal_point(user, country_return):
        raise ReviewRefused(_("Only the country's focal point decides on a correction."))
    locked = Correction.objects.select_for_update().select_related("question").get(pk=correction.pk)
    if locked.status != Correction.Status.PROPOSED:
        raise ReviewRefused(
            _("This correction was %(status)s already. Nothing was changed.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked, country_return


def _move_correction(correction: Correction, action: str, user: User, reason: str) -> None:
    """Apply one action of Correction.TRANSITIONS to the (locked) correction."""
    sources, target = Correction.TRANSITIONS[Correction.Action(action)]
    if correction.status not in sources:
        raise ReviewRefused(_("This correction was decided already. Nothing was changed."))
    Correction.objects.filter(pk=correction.pk).update(
        status=target, decided_by=user, decided_at=timezone.now(), decision_reason=reason
    )
    correction.status = target


@transaction.atomic
def accept_correction(*, correction: Correction, user: User, reason: str = "") -> Correction:
    """The country accepts: the consolidated answer takes the value, with its history."""
    locked, country_return = _decide(correction, user)
    questionnaire = get_definition(country_return.round.questionnaire_id)
    key = (locked.question.code, locked.row_code, locked.column_code)
    section = questionnaire.section(questionnaire.questions[key[0]].section_code)
    if section is None:
        raise ReviewRefused(_("This question is not in the questionnaire."))
    consolidated = consolidate_return(country_return=country_return).answers.get(key)
    result = save_answers(
        country_return=country_return,
        authority=None,
        section=section,
        edits=[
            AnswerEdit(
                key,
                AnswerValue(locked.value, locked.special_value),
                consolidated.version if consolidated is not None else 0,
            )
        ],
        user=user,
        channel=AnswerChange.Channel.CORRECTION,
    )
    if result.conflicts:
        raise ReviewRefused(_("The answer changed a moment ago: look again, then decide."))
    _move_correction(locked, Correction.Action.ACCEPT, user, reason.strip())
    correction.status = locked.status
    _record_decision(locked, country_return, user, ReturnEvent.Action.CORRECTION_ACCEPTED, reason)
    return correction


@transaction.atomic
def reject_correction(*, correction: Correction, user: User, reason: str) -> Correction:
    """The country keeps its answer, saying why."""
    reason = reason.strip()
    if not reason:
        raise ReviewRefused(_("Say why you keep your answer: UNSD reads it."))
    locked, country_return = _decide(correction, user)
    _move_correction(locked, Correction.Action.REJECT, user, reason)
    correction.status = locked.status
    _record_decision(locked, country_return, user, ReturnEvent.Action.CORRECTION_REJECTED, reason)
    return correction


def _record_decision(
    correction: Correction, country_return: CountryReturn, user: User, action: str, reason: str
) -> None:
    questionnaire = get_definition(country_return.round.questionnaire_id)
    label = key_label(
        questionnaire, (correction.question.code, correction.row_code, correction.column_code)
    )
    record_return_event(
        country_return=country_return,
        action=action,
        actor=user,
        subject=label,
        note=reason.strip(),
    )
    proposer = getattr(correction.proposed_by, "email", "")
    _tell(
        to=[proposer] if proposer else _unsd_emails(),
        subject=_("%(country)s %(decision)s your correction to %(question)s")
        % {
            "country": country_return.country.name,
            "decision": _("accepted")
            if action == ReturnEvent.Action.CORRECTION_ACCEPTED
            else _("rejected"),
            "question": label,
        },
        template="consolidation/emails/correction_decided.txt",
        context={
            "country": country_return.country.name,
            "question": label,
            "accepted": action == ReturnEvent.Action.CORRECTION_ACCEPTED,
            "reason": reason,
            "decided_by": _person(user),
            "review_url": reverse("review:review", args=[country_return.pk]),
        },
    )


def consolidated_history(
    country_return: CountryReturn, questionnaire: QuestionnaireDef, key: AnswerKey
) -> "list[AnswerChange]":
    """Every change of the country's consolidated answer to a key, newest first."""
    question = questionnaire.questions.get(key[0])
    if question is None:
        return []
    return list(
        AnswerChange.objects.filter(
            answer__country_return=country_return,
            answer__authority__isnull=True,
            answer__question_id=question.id,
            answer__row_code=key[1],
            answer__column_code=key[2],
        ).select_related("changed_by")
    )


def corrections_of(country_return: CountryReturn) -> "list[Correction]":
    return list(
        Correction.objects.filter(country_return=country_return).select_related(
            "question", "proposed_by", "decided_by"
        )
    )


def pending_corrections(country_return: CountryReturn) -> int:
    return Correction.objects.filter(
        Q(country_return=country_return) & Q(status=Correction.Status.PROPOSED)
    ).count()
