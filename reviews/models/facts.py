"""Clinical facts of a case: lab results, prior therapies and clinical events, each with
where it came from (the request at intake, or a document page a nurse read during review).

The criteria's computed checks read them (reviews/selectors/review.py `case_facts`); their
rules are reviews/intake.py's, whichever way they arrive.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.engine.checks import months_between
from reviews.engine.numbers import plain_number as _decimal_text
from reviews.models.case import Case
from reviews.models.choices import in_choices
from reviews.models.documents import Document


class FactSource(models.TextChoices):
    INTAKE = "intake", "Intake"
    REVIEW = "review", "Review"


class TherapyOutcome(models.TextChoices):
    INEFFECTIVE = "ineffective", "Ineffective"
    INTOLERANT = "intolerant", "Not tolerated"
    CONTRAINDICATED = "contraindicated", "Contraindicated"
    ONGOING = "ongoing", "Ongoing"


class CaseFact(models.Model):
    """What every fact row records of its origin. A fact read from a document names the
    document (of the same case: the service checks) and the page."""

    Source = FactSource

    source = models.CharField(max_length=10, choices=FactSource.choices)
    source_document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_page = models.PositiveIntegerField(null=True, blank=True, help_text="1-based.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=in_choices("source", FactSource), name="%(class)s_source_valid"
            ),
            # A page belongs to a document; pages count from 1.
            models.CheckConstraint(
                condition=Q(source_page__isnull=True)
                | Q(source_page__gte=1, source_document__isnull=False),
                name="%(class)s_page_of_a_document",
            ),
        ]

    @property
    def source_text(self) -> str:
        """E.g. "intake" or "review: mri.pdf p. 2"."""
        if self.source_document_id is None:
            return self.get_source_display().lower()
        page = f" p. {self.source_page}" if self.source_page else ""
        return f"{self.get_source_display().lower()}: {self.source_document.original_name}{page}"


class CaseLab(CaseFact):
    """A lab result as reported: its value in the unit given (no conversion)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="labs")
    name = models.CharField(max_length=100)
    loinc = models.CharField("LOINC code", max_length=10, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    unit = models.CharField(max_length=30, blank=True)
    taken_on = models.DateField()

    class Meta:
        ordering = ["case_id", "-taken_on", "-pk"]  # newest first
        constraints = CaseFact.Meta.constraints

    def __str__(self) -> str:
        return f"{self.name} {self.value_text} {self.unit}".strip() + f" on {self.taken_on}"

    @property
    def value_text(self) -> str:
        """The value as written, without trailing zeros: "7.2", "100"."""
        return _decimal_text(self.value)


class CaseTherapy(CaseFact):
    """A therapy tried before this request, and how it ended."""

    Outcome = TherapyOutcome

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="therapies")
    drug_name = models.CharField(max_length=200)
    dose = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    dose_unit = models.CharField(max_length=10, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=TherapyOutcome.choices)

    class Meta:
        ordering = ["case_id", "started_on", "pk"]
        verbose_name_plural = "case therapies"
        constraints = [
            *CaseFact.Meta.constraints,
            models.CheckConstraint(
                condition=in_choices("outcome", TherapyOutcome), name="casetherapy_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(dose__isnull=True) | Q(dose__gt=0), name="casetherapy_dose_positive"
            ),
            # A dose is given with its unit, or neither is.
            models.CheckConstraint(
                condition=Q(dose__isnull=True, dose_unit="")
                | (Q(dose__isnull=False) & ~Q(dose_unit="")),
                name="casetherapy_dose_with_unit",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(ended_on__isnull=True)
                | Q(started_on__lte=models.F("ended_on")),
                name="casetherapy_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        dose = f" {self.dose_text}" if self.dose is not None else ""
        when = f", {self.duration_text}" if self.duration_text else ""
        return f"{self.drug_name}{dose}{when} ({self.outcome})"

    @property
    def dose_text(self) -> str:
        if self.dose is None:
            return ""
        return f"{_decimal_text(self.dose)} {self.dose_unit}".strip()

    @property
    def length_text(self) -> str:
        """How long it was taken, e.g. "13 months"; "" unless both dates are known."""
        if self.started_on and self.ended_on:
            return _length(self.started_on, self.ended_on)
        return ""

    @property
    def duration_text(self) -> str:
        """E.g. "2024-01-10 to 2025-03-01 (13 months)", "since 2025-06-01", ""."""
        start, end = self.started_on, self.ended_on
        if start and end:
            return f"{start} to {end} ({_length(start, end)})"
        if start:
            return f"since {start}"
        if end:
            return f"until {end}"
        return ""


def _length(start: date, end: date) -> str:
    months = months_between(start, end)
    if months >= 1:
        return f"{months} month{'s' if months != 1 else ''}"
    days = (end - start).days
    return f"{days} day{'s' if days != 1 else ''}"


class CaseClinicalEvent(CaseFact):
    """Something that happened to the member on a date, e.g. a relapse (kind is free text)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clinical_events")
    kind = models.CharField(max_length=60)
    occurred_on = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["case_id", "-occurred_on", "-pk"]  # newest first
        constraints = CaseFact.Meta.constraints

    def __str__(self) -> str:
        return f"{self.kind} on {self.occurred_on}"
