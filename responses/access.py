"""Who may see and change what. Every view of a country return asks this module, and only it.

Rules:
- UNSD reviewers and administrators (and superusers) read every return and every reply.
- A focal point reads every section and every reply of its country's return, edits the NSO's
  reply, and forwards sections.
- An authority respondent reads only the sections forwarded to its authority, for its country,
  and edits them while they are forwarded to it (not once handed back or reclaimed).
- Anything else is "not found" (404), so that ids of other countries reveal nothing.

The one edit rule (`edit_rule`): a reply may be changed only while its round is open, its return
is being filled in (when UNSD queried it: only the questions a query reopened for that authority),
its assignment is still with the authority, and the person holds the role. Views ask it to show
a page read-only with the reason; the saving service asks it again before writing anything.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from consultation.models import Round

from .exceptions import EditRefused
from .models import (
    AnswerChange,
    Assignment,
    AssignmentEvent,
    Authority,
    CountryReturn,
    Membership,
    QuestionReopening,
    RoundEvent,
)

UNSD_ROLES = (Membership.Role.UNSD_REVIEWER, Membership.Role.UNSD_ADMIN)

Person = User | AnonymousUser


def memberships_of(user: Person) -> list[Membership]:
    """The user's memberships, read once per request (kept on the user object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_consultation_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related(
                "authority", "country_return__country", "country_return__round"
            )
        )
        # A plain attribute on the user object: it lives as long as the request.
        setattr(user, "_consultation_memberships", cached)  # noqa: B010
    return cached


def is_unsd(user: Person) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(
        membership.role in UNSD_ROLES for membership in memberships_of(user)
    )


def is_unsd_admin(user: Person) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(
        membership.role == Membership.Role.UNSD_ADMIN for membership in memberships_of(user)
    )


def focal_point_return_ids(user: Person) -> set[int]:
    return {
        membership.country_return_id
        for membership in memberships_of(user)
        if membership.role == Membership.Role.FOCAL_POINT and membership.country_return_id
    }


def respondent_authorities(user: Person, country_return_id: int) -> set[int]:
    return {
        membership.authority_id
        for membership in memberships_of(user)
        if membership.role == Membership.Role.RESPONDENT
        and membership.country_return_id == country_return_id
        and membership.authority_id
    }


def returns_visible_to(user: Person) -> QuerySet[CountryReturn]:
    """Every return the user may open at all."""
    returns = CountryReturn.objects.select_related("country", "round")
    if is_unsd(user):
        return returns
    ids = {m.country_return_id for m in memberships_of(user) if m.country_return_id}
    return returns.filter(pk__in=ids)


def get_return(user: Person, return_id: int) -> CountryReturn:
    """The return, if the user may open it; 404 otherwise."""
    for membership in memberships_of(user):
        # Read with the memberships already, in the same query.
        if membership.country_return_id == return_id and membership.country_return is not None:
            return membership.country_return
    try:
        return returns_visible_to(user).get(pk=return_id)
    except CountryReturn.DoesNotExist:
        raise Http404("No such return") from None


def is_focal_point(user: Person, country_return: CountryReturn) -> bool:
    return country_return.pk in focal_point_return_ids(user)


def nso_of(country_return: CountryReturn) -> Authority:
    """The country's NSO. It exists from the moment the return does (reading writes nothing)."""
    return Authority.objects.get(country_id=country_return.country_id, kind=Authority.Kind.NSO)


@dataclass
class SectionAccess:
    """What one user may do with one section of one return."""

    country_return: CountryReturn
    section_code: str
    # The reply the user edits on this page, if any.
    editable_authority: Authority | None
    # The NSO, whose reply focal points and UNSD read (None for authority respondents).
    nso: Authority | None = None
    is_focal_point: bool = False
    is_unsd: bool = False
    # The respondent's assignment of this section.
    assignment: Assignment | None = None

    @cached_property
    def readable_authorities(self) -> list[Authority]:
        """Every reply the user may read (the editable one first); read only when needed."""
        if self.assignment is not None:
            return [self.assignment.authority]
        holders = [
            assignment.authority
            for assignment in Assignment.objects.filter(
                country_return=self.country_return, section__code=self.section_code
            ).select_related("authority")
        ]
        return [self.nso, *holders] if self.nso is not None else holders

    def may_read(self, authority_id: int) -> bool:
        return any(authority.pk == authority_id for authority in self.readable_authorities)


def section_access(user: Person, country_return: CountryReturn, section_code: str) -> SectionAccess:
    """What the user may do with the section; 404 if the user may not see it at all."""
    if is_focal_point(user, country_return):
        nso = next(
            membership.authority
            for membership in memberships_of(user)
            if membership.role == Membership.Role.FOCAL_POINT
            and membership.country_return_id == country_return.pk
        )
        return SectionAccess(
            country_return=country_return,
            section_code=section_code,
            editable_authority=nso,
            nso=nso,
            is_focal_point=True,
            is_unsd=is_unsd(user),
        )
    if is_unsd(user):
        return SectionAccess(
            country_return=country_return,
            section_code=section_code,
            editable_authority=None,
            nso=nso_of(country_return),
            is_unsd=True,
        )
    authorities = respondent_authorities(user, country_return.pk)
    assignment = (
        Assignment.objects.filter(
            country_return=country_return,
            section__code=section_code,
            authority_id__in=authorities,
            status__in=Assignment.VISIBLE,
        )
        .select_related("authority")
        .first()
    )
    if assignment is None:
        raise Http404("No such section")
    return SectionAccess(
        country_return=country_return,
        section_code=section_code,
        # The reply the respondent would edit; edit_rule says whether it may change now.
        editable_authority=assignment.authority,
        assignment=assignment,
    )


def visible_assignments(user: Person, country_return: CountryReturn) -> QuerySet[Assignment]:
    """The assignments of the return the user may see: all for focal points and UNSD."""
    assignments = Assignment.objects.filter(country_return=country_return).select_related(
        "section", "authority"
    )
    if is_focal_point(user, country_return) or is_unsd(user):
        return assignments
    return assignments.filter(
        Q(authority_id__in=respondent_authorities(user, country_return.pk)),
        status__in=Assignment.VISIBLE,
    )


def require_focal_point(user: Person, country_return: CountryReturn) -> None:
    """Only the return's focal points forward, remind, reclaim and reopen; others get 404."""
    if not is_focal_point(user, country_return):
        raise Http404("No such page")


# --- The one edit rule ---------------------------------------------------------------------------

# Channels through which the country itself edits its replies (everything but UNSD corrections).
_COUNTRY_CHANNELS = frozenset(AnswerChange.Channel.values) - {AnswerChange.Channel.CORRECTION}


@dataclass(frozen=True)
class EditRule:
    """Whether a person may change a reply now; if not, why, in words they can act on."""

    allowed: bool
    reason: str = ""
    # When UNSD queried the return: the only questions (ids) that may change, for this reply.
    only_questions: frozenset[int] | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def allows_question(self, question_id: int) -> bool:
        return self.allowed and (self.only_questions is None or question_id in self.only_questions)


def _date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "j F Y")


def _refused(reason: str) -> EditRule:
    return EditRule(False, reason)


def _round_refusal(country_return: CountryReturn) -> EditRule | None:
    round_ = country_return.round
    if round_.status == Round.Status.OPEN:
        return None
    if round_.status == Round.Status.DRAFT:
        return _refused(_("This round has not opened yet: replies cannot be changed."))
    closed = RoundEvent.objects.filter(round=round_, action=Round.Action.CLOSE).last()
    closed_at = closed.created_at if closed is not None else None
    reopened = country_return.reopened_at
    if reopened is not None and (closed_at is None or reopened > closed_at):
        return None
    if closed_at is None:
        return _refused(_("This round is closed; ask UNSD to reopen your return."))
    return _refused(
        _("This round closed on %(date)s; ask UNSD to reopen your return.")
        % {"date": _date(closed_at)}
    )


def _assignment_refusal(assignment: Assignment) -> EditRule | None:
    if assignment.status in Assignment.EDITABLE:
        return None
    section = assignment.section.code
    last = (
        AssignmentEvent.objects.filter(assignment=assignment, new_status=assignment.status)
        .order_by("-created_at", "-pk")
        .first()
    )
    when = _date(last.created_at) if last is not None else ""
    if assignment.status == Assignment.Status.HANDED_BACK:
        return _refused(
            _("Section %(section)s was handed back on %(date)s; ask your focal point to reopen it.")
            % {"section": section, "date": when}
        )
    return _refused(
        _(
            "Section %(section)s was taken back by the national statistical office on %(date)s: "
            "you can no longer change it."
        )
        % {"section": section, "date": when}
    )


def edit_rule(
    user: User,
    *,
    country_return: CountryReturn,
    authority: Authority | None,
    section_id: int,
    channel: str = AnswerChange.Channel.WEB,
    assignment: Assignment | None = None,
) -> EditRule:
    """May this person change this reply's answers in this section now, through this channel?

    `assignment` is the respondent's assignment of the section when the caller has it already.
    A UNSD correction (channel "correction") is applied by a focal point who accepts it, while
    the return is with UNSD; every other channel is the country editing its own reply.
    `authority` None is the return's consolidated answers: its focal points change them, by
    consolidation, while the return is theirs to edit (or, queried, the questions reopened).
    """
    if not user.is_authenticated:
        return _refused(_("Sign in to change answers."))
    focal = is_focal_point(user, country_return)
    if channel == AnswerChange.Channel.CORRECTION:
        if not focal:
            return _refused(_("Only the country's focal point can accept a correction."))
        if country_return.status not in (
            CountryReturn.Status.SUBMITTED,
            CountryReturn.Status.QUERIED,
        ):
            return _refused(_("Corrections apply only to a return under review by UNSD."))
        return EditRule(True)
    if channel not in _COUNTRY_CHANNELS:
        return _refused(_("Answers cannot be changed this way."))
    if authority is None:
        if not focal:
            return _refused(_("Only the country's focal points consolidate its return."))
        if channel != AnswerChange.Channel.CONSOLIDATION:
            return _refused(_("Consolidated answers change only through consolidation."))
        assignment = None
    elif focal and authority.kind == Authority.Kind.NSO:
        assignment = None
    elif authority.pk in respondent_authorities(user, country_return.pk) or (
        focal and channel == AnswerChange.Channel.CONSOLIDATION
    ):
        if assignment is None or assignment.authority_id != authority.pk:
            assignment = (
                Assignment.objects.filter(
                    country_return=country_return, section_id=section_id, authority=authority
                )
                .select_related("section")
                .first()
            )
        if assignment is None and not focal:
            return _refused(_("This section has not been given to your authority."))
    elif is_unsd(user):
        return _refused(
            _("UNSD reads the replies but does not change them: propose a correction instead.")
        )
    else:
        return _refused(_("You cannot change this reply."))
    refusal = _round_refusal(country_return)
    if refusal is not None:
        return refusal
    status = country_return.status
    if status == CountryReturn.Status.SUBMITTED:
        return _refused(
            _(
                "Your return was submitted on %(date)s: it is read-only until UNSD queries or "
                "reopens it."
            )
            % {"date": _date(country_return.submitted_at)}
        )
    if status == CountryReturn.Status.ACCEPTED:
        return _refused(_("UNSD accepted your return; ask UNSD to reopen it to change anything."))
    if status == CountryReturn.Status.QUERIED:
        reopened = frozenset(
            QuestionReopening.objects.filter(
                country_return=country_return,
                # The consolidated answers follow what any of their replies reopened.
                **({"authority": authority} if authority is not None else {}),
                question__section_id=section_id,
                closed_at__isnull=True,
            ).values_list("question_id", flat=True)
        )
        if not reopened:
            return _refused(
                _(
                    "UNSD is reviewing your return: only questions reopened to answer a query "
                    "can be changed, and none of this section is."
                )
            )
        return EditRule(True, only_questions=reopened)
    if assignment is not None and not focal:
        refusal = _assignment_refusal(assignment)
        if refusal is not None:
            return refusal
    return EditRule(True)


def check_edit(
    user: User,
    *,
    country_return: CountryReturn,
    authority: Authority | None,
    section_id: int,
    question_ids: Iterable[int],
    channel: str,
) -> EditRule:
    """The edit rule, enforced: EditRefused (with the reason) unless every question may change."""
    rule = edit_rule(
        user,
        country_return=country_return,
        authority=authority,
        section_id=section_id,
        channel=channel,
    )
    if not rule:
        raise EditRefused(rule.reason + " " + _("Nothing was saved."))
    if rule.only_questions is not None:
        closed = set(question_ids) - rule.only_questions
        if closed:
            raise EditRefused(
                _(
                    "UNSD is reviewing your return: only the questions reopened to answer a query "
                    "can be changed. Nothing was saved."
                )
            )
    return rule
