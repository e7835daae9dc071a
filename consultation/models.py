"""The questionnaire as data: rounds, sections, questions, choices, grids; countries and areas."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """A node of the UN M49 tree: the world, a region, a sub-region, or a country or area."""

    class Level(models.TextChoices):
        WORLD = "world", _("World")
        REGION = "region", _("Region")
        SUBREGION = "subregion", _("Sub-region")
        INTERMEDIATE = "intermediate", _("Intermediate region")
        COUNTRY = "country", _("Country or area")

    m49_code = models.CharField(max_length=3, primary_key=True)
    iso3 = models.CharField(max_length=3, blank=True, db_index=True)
    iso2 = models.CharField(max_length=2, blank=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> "Area | None":
        """The M49 region (continent) above this area."""
        node = self.parent
        while node is not None and node.level != self.Level.REGION:
            node = node.parent
        return node


class Questionnaire(models.Model):
    """A questionnaire definition, loaded from a YAML file."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    introduction = models.TextField(blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title


class Round(models.Model):
    """One run of the consultation: a questionnaire sent to every country with a deadline."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Action(models.TextChoices):
        OPEN = "open", _("Opened")
        CLOSE = "close", _("Closed")

    # The whole lifecycle: each action, the statuses it starts from, the status it leads to.
    # Only responses.returns.lifecycle.move_round applies it (and writes the round's event row).
    TRANSITIONS = {
        Action.OPEN: (frozenset({Status.DRAFT}), Status.OPEN),
        Action.CLOSE: (frozenset({Status.OPEN}), Status.CLOSED),
    }

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    deadline = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class ChoiceList(models.Model):
    """A list of answer options, defined once and shared by questions and grid columns."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="choice_lists"
    )
    code = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="unique_choice_list")
        ]

    def __str__(self) -> str:
        return self.code


class Choice(models.Model):
    """One answer option of a choice list."""

    choice_list = models.ForeignKey(ChoiceList, on_delete=models.CASCADE, related_name="choices")
    code = models.CharField(max_length=60)
    label = models.CharField(max_length=500)
    position = models.PositiveIntegerField()
    # Ticking an exclusive option ("none", "not measured") clears every other option.
    is_exclusive = models.BooleanField(default=False)
    # An "other, please specify" option asks for a text when ticked.
    is_other = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["choice_list", "code"], name="unique_choice_code")
        ]

    def __str__(self) -> str:
        return self.label


class Scope(models.TextChoices):
    """Whom a question is about: the country, or the institution that answers it."""

    COUNTRY = "country", _("The country")
    AUTHORITY = "authority", _("The answering institution")


class Section(models.Model):
    """A part of the questionnaire, filled on one page and forwarded as a whole."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    introduction = models.TextField(blank=True)
    position = models.PositiveIntegerField()
    # The scope its questions take unless they give their own.
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.COUNTRY)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="unique_section_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Kind(models.TextChoices):
    """What a question (or a grid column) asks for."""

    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    PERCENTAGE = "percentage", _("Percentage")
    YEAR = "year", _("Year")
    DATE = "date", _("Date")
    EMAIL = "email", _("E-mail address")
    URL = "url", _("Web address")
    YES_NO = "yes_no", _("Yes / no / don't know")
    CHECKBOX = "checkbox", _("Tick box")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    RANKING = "ranking", _("Ranking")
    GRID = "grid", _("Grid")


class Question(models.Model):
    """One question of a section. Its code is stable: answers are keyed by it."""

    class RowSource(models.TextChoices):
        FIXED = "fixed", _("Fixed rows")
        RESPONDENT = "respondent", _("Rows added by the respondent")
        DERIVED = "derived", _("Rows derived from another answer")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=20)
    text = models.TextField()
    help_text = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField()
    choice_list = models.ForeignKey(
        ChoiceList, null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )
    # A condition tree (see docs/questionnaire-format.md); empty means always shown.
    show_if = models.JSONField(default=dict, blank=True)
    # Bounds and limits: min, max, max_length, max_choices (ranking), max_rows (grids).
    validation = models.JSONField(default=dict, blank=True)
    # Which special values ("not available", "confidential" ...) may replace a value.
    special_values = models.JSONField(default=list, blank=True)
    allows_note = models.BooleanField(default=True)
    row_source = models.CharField(
        max_length=12, choices=RowSource.choices, default=RowSource.FIXED, blank=True
    )
    # For derived rows: {"question": "C1", "where": {condition on the source row}, "label": col}.
    rows_from = models.JSONField(default=dict, blank=True)
    # The question's own scope, or else its section's: consolidation merges the replies of
    # country questions and keeps each institution's reply to authority questions.
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.COUNTRY)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="unique_question_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class GridRow(models.Model):
    """A fixed row of a grid question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rows")
    code = models.CharField(max_length=30)
    label = models.CharField(max_length=500)
    position = models.PositiveIntegerField()
    # The row asks the respondent to name it ("other, please specify").
    is_other = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="unique_grid_row_code")
        ]

    def __str__(self) -> str:
        return self.label


class GridColumn(models.Model):
    """A column of a grid question, with its own kind and its own per-row condition."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="columns")
    code = models.CharField(max_length=30)
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField()
    choice_list = models.ForeignKey(
        ChoiceList, null=True, blank=True, on_delete=models.PROTECT, related_name="columns"
    )
    # A condition on other cells of the same row, e.g. {"col": "exists", "eq": "yes"}.
    show_if = models.JSONField(default=dict, blank=True)
    validation = models.JSONField(default=dict, blank=True)
    special_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="unique_grid_column_code")
        ]

    def __str__(self) -> str:
        return self.label
