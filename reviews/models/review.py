"""What reviewers record: an answer per criterion, and the determination that ends a case."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviews.models.case import Case, Document, duration_text
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
        ordering = ["case", "pk"]
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


class Determination(models.Model):
    """The decision on a case. Immutable once issued: no service updates one."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        PARTIALLY_APPROVED = "partially_approved", "Partially approved"
        DENIED = "denied", "Denied"

    class Role(models.TextChoices):
        NURSE = "nurse", "Nurse reviewer"
        PHYSICIAN = "physician", "Physician reviewer"

    # X12 278 / 306 review action codes that payer APIs use (HCR01): certified in total,
    # modified, not certified. A case waiting for information is pended (A4): see
    # x12_action_code_for_case().
    X12_ACTION = {"approved": "A1", "partially_approved": "A6", "denied": "A3"}
    X12_PENDED = "A4"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="determination")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    decided_at = models.DateTimeField()
    policy_version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(blank=True)
    criteria_cited = models.JSONField(default=list, blank=True)
    approval_start = models.DateField(null=True, blank=True)
    approval_end = models.DateField(null=True, blank=True)
    authorized_doses = models.PositiveIntegerField(null=True, blank=True)
    authorized_amount = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    authorized_unit = models.CharField(max_length=20, blank=True)
    authorization_number = models.CharField(max_length=30, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["approved", "partially_approved", "denied"]),
                name="determination_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["nurse", "physician"]), name="determination_role_valid"
            ),
            # Only a physician may deny: policy 2020910 "Edits and Denials", URAC UM 12, NCQA UM 4.
            models.CheckConstraint(
                condition=~Q(outcome="denied") | Q(role="physician"),
                name="determination_only_physician_denies",
            ),
            models.CheckConstraint(
                condition=Q(outcome="denied")
                | (
                    Q(approval_start__isnull=False)
                    & Q(approval_end__gte=models.F("approval_start"))
                ),
                name="determination_approval_has_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authorization_number} {self.get_outcome_display()}"

    @property
    def on_time(self) -> bool:
        """Decided by the case's due time (the NCQA timeliness measure)."""
        return self.decided_at <= self.case.due_at

    @property
    def timeliness(self) -> str:
        """E.g. "decided on time, 12 days 3 hours early", "decided 5 hours 10 min late"."""
        seconds = int((self.case.due_at - self.decided_at).total_seconds())
        if seconds >= 0:
            return f"decided on time, {duration_text(seconds)} early"
        return f"decided {duration_text(-seconds)} late"

    @property
    def quantity_text(self) -> str:
        """E.g. "15 doses (300 mg)"; empty for a denial."""
        if self.authorized_doses is None:
            return ""
        amount = format(self.authorized_amount.normalize(), "f") if self.authorized_amount else ""
        return f"{self.authorized_doses} doses ({amount} {self.authorized_unit})".replace(" ()", "")

    @property
    def x12_action_code(self) -> str:
        return self.X12_ACTION[self.outcome]


def x12_action_code_for_case(case: Case) -> str | None:
    """The review action code a payer API reports for a case: the determination's, A4
    (pended) while information is requested, none while the review is under way."""
    determination = getattr(case, "determination", None)
    if determination is not None:
        return determination.x12_action_code
    if case.status == Case.Status.INFO_REQUESTED:
        return Determination.X12_PENDED
    return None
