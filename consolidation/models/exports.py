"""Export files: who asked for which workbook, how far its task got, and where the file is."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultation.models import Round


def export_storage():
    """The storage export files go to: STORAGES["exports"] (a local folder in the demo)."""
    return storages["exports"]


class Export(models.Model):
    """One export asked for by UNSD: built by a Celery task, kept for a while, then removed."""

    class Kind(models.TextChoices):
        CONSOLIDATED = "consolidated", _("All countries, consolidated")
        COUNTRY = "country", _("One country, consolidated")
        RAW = "raw", _("Raw replies of every authority")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook (.xlsx)")
        CSV = "csv", _("CSV files: long table and codebook (.zip)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        REMOVED = "removed", _("Removed")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.XLSX)
    # For one-country and raw exports limited to a country: its ISO3 code.
    country_iso3 = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    countries_total = models.PositiveIntegerField(default=0)
    countries_done = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=export_storage, upload_to="exports/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    cells = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.round} · {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.countries_total:
            return 0
        return min(100, round(100 * self.countries_done / self.countries_total))
