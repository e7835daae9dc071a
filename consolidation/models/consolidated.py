"""Consolidation decisions: how the focal point settled one consolidated answer, and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultation.models import Question
from responses.models import Authority, CountryReturn


class Resolution(models.Model):
    """One decision on a consolidated answer: a reply picked, or the focal point's own value.

    Rows are only ever added; the latest of a key is the one in force. `source_versions` holds
    the version of every reply of the key when the decision was taken ({authority id: version}):
    when a reply moves on, the decision is out of date.
    """

    class Action(models.TextChoices):
        PICKED = "picked", _("Reply picked")
        OWN_VALUE = "own_value", _("Own value written")

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="resolutions"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    row_code = models.CharField(max_length=30, blank=True)
    column_code = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # The reply picked (None: the focal point's own value).
    picked_authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_versions = models.JSONField(default=dict)
    # The version of the consolidated answer this decision left.
    answer_version = models.PositiveIntegerField()
    channel = models.CharField(max_length=20, default="consolidation")
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField()

    class Meta:
        ordering = ["resolved_at", "pk"]
        indexes = [models.Index(fields=["country_return", "question"])]

    def __str__(self) -> str:
        return f"{self.question_id}.{self.row_code}.{self.column_code}: {self.get_action_display()}"


class SeparateReturns(models.Model):
    """The focal point's decision that the country cannot consolidate: one return per authority.

    Each authority's replies then stand as a return of their own, covering the sections it
    answered. Withdrawn (not deleted) when the focal point consolidates after all.
    """

    country_return = models.ForeignKey(
        CountryReturn, on_delete=models.CASCADE, related_name="separate_returns_decisions"
    )
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name_plural = "separate returns decisions"
        constraints = [
            models.UniqueConstraint(
                fields=["country_return"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_standing_separate_returns_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_return_id}: separate returns ({self.decided_at:%Y-%m-%d})"
