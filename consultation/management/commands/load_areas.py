"""Management command that loads or refreshes the UN M49 countries and areas."""

from typing import Any

from django.core.management.base import BaseCommand

from consultation.areas import load_areas


class Command(BaseCommand):
    help = "Load the UN M49 regions, countries and areas (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_areas()
        self.stdout.write(
            self.style.SUCCESS(
                f"Areas: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
