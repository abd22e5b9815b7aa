"""A reviewer's answers to a case's criteria, with their evidence."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviews.models.case import Case
from reviews.models.documents import Document
from reviews.models.policy import Criterion, PolicyVersion


class CriterionAnswer(models.Model):
    """One reviewer's answer to one criterion of one case, with its evidence.

    Saved at every step of the guided review; read-only once the nurse approves or escalates
    (locked_at is then stamped, with the policy version the answer was given under).
    """

    class Value(models.TextChoices):
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"
        NOT_DOCUMENTED = "not_documented", "Not documented"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=15, choices=Value.choices)
    suggested = models.CharField(
        max_length=15,
        choices=Value.choices,
        blank=True,
        help_text="What the computed check suggested, if anything.",
    )
    suggestion_reason = models.TextField(blank=True)
    evidence_document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_page = models.PositiveIntegerField(null=True, blank=True)
    evidence_quote = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField()
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "criterion"], name="answer_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(answer__in=["met", "not_met", "not_documented"]),
                name="answer_value_valid",
            ),
            models.CheckConstraint(
                condition=Q(suggested__in=["", "met", "not_met", "not_documented"]),
                name="answer_suggested_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.criterion.label}: {self.answer}"

    @property
    def has_evidence(self) -> bool:
        """A document of the case, a page and a quote: what an auditor can look up."""
        return bool(
            self.evidence_document_id and self.evidence_page and self.evidence_quote.strip()
        )

    @property
    def overrides_suggestion(self) -> bool:
        return bool(self.suggested) and self.suggested != self.answer
