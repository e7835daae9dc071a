"""Who may see and change what. Every view of a country return asks this module, and only it.

Rules:
- UNSD reviewers and administrators (and superusers) read every return and every reply.
- A focal point reads every section and every reply of its country's return, edits the NSO's
  reply, and forwards sections.
- An authority respondent reads only the sections forwarded to its authority, for its country,
  and edits them while they are forwarded to it (not once handed back or reclaimed).
- Anything else is "not found" (404), so that ids of other countries reveal nothing.
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Assignment, Authority, CountryReturn, Membership

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
    authority, _created = Authority.objects.get_or_create(
        country_id=country_return.country_id,
        kind=Authority.Kind.NSO,
        defaults={"name": f"National statistical office of {country_return.country.name}"},
    )
    return authority


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
        editable_authority=assignment.authority if assignment.is_editable else None,
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
