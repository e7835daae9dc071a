"""Export files: who asked for which workbook, how far its task got, and where the file is."""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultation.models import Round


class ExportStorage(Storage):
    """STORAGES["exports"] (a local folder in the demo), looked up at each use.

    A FileField keeps the storage it was given when models load; this one hands every call on
    to the storage configured now, so that settings read at run time (and tests) apply.
    """

    DELEGATED = (
        "open",
        "save",
        "delete",
        "exists",
        "size",
        "url",
        "path",
        "listdir",
        "generate_filename",
        "get_available_name",
        "get_valid_name",
        "get_accessed_time",
        "get_created_time",
        "get_modified_time",
    )

    def __getattribute__(self, name: str):
        if name in type(self).DELEGATED:
            return getattr(storages["exports"], name)
        return super().__getattribute__(name)


def export_storage() -> Storage:
    return ExportStorage()


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
    file = models.FileField(storage=export_storage, blank=True)
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
