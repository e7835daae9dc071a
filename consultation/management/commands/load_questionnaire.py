"""Load (or reload) a questionnaire YAML file into the database."""

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultation.loader import QuestionnaireFileError, load_questionnaire


class Command(BaseCommand):
    help = (
        "Check a questionnaire YAML file (docs/questionnaire-format.md) and load it. On any "
        "error nothing is written, every error is printed and the command exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the questionnaire YAML file")
        parser.add_argument(
            "--round",
            dest="round_code",
            metavar="CODE",
            help="create this round (as a draft) for the questionnaire unless it exists",
        )

    def handle(self, *args: Any, path: Path, round_code: str | None, **options: Any) -> None:
        try:
            report = load_questionnaire(path, round_code=round_code)
        except QuestionnaireFileError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            count = len(error.errors)
            raise CommandError(
                f"{path}: {count} error{'s' if count != 1 else ''}, nothing was loaded",
                returncode=1,
            ) from error
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        questionnaire = report.questionnaire
        self.stdout.write(f"Questionnaire {questionnaire.code}: {questionnaire.title}")
        if report.round is not None:
            self.stdout.write(f"Round {report.round.code} ({report.round.get_status_display()})")
        self.stdout.write(
            f"{report.sections} sections, {report.questions} questions, {report.grids} grids, "
            f"{report.conditions} conditions, {report.rules} rules"
        )
        for action in ("created", "updated", "deleted", "unchanged"):
            counts: Counter[str] = getattr(report, action)
            details = ", ".join(f"{name} {number}" for name, number in sorted(counts.items()))
            line = f"{action.capitalize()}: {counts.total()}" + (f" ({details})" if details else "")
            self.stdout.write(line)
        if not report.changes.any:
            self.stdout.write(self.style.SUCCESS("Nothing changed."))
        else:
            self.stdout.write(self.style.SUCCESS("Loaded."))
