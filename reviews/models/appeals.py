"""Appeals: a member's (or their prescriber's or representative's) request that the plan look
again at a denial or a partial approval. The appeal is a case of its own (its clock, its
physician, its determination and letter); this row says what it appeals and how it ended."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviews.models.case import Case
from reviews.models.choices import in_choices


class AppellantKind(models.TextChoices):
    MEMBER = "member", "Member"
    PRESCRIBER = "prescriber", "Prescriber"
    REPRESENTATIVE = "representative", "Member's representative"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld (the decision stands)"
    OVERTURNED = "overturned", "Overturned (approved)"
    PARTIALLY_OVERTURNED = "partially_overturned", "Partially overturned"


class Appeal(models.Model):
    """One appeal: the decided case it appeals (`original`) and the case that decides it
    (`case`, in the physician queue with the appeal's own due time)."""

    AppellantKind = AppellantKind
    Outcome = AppealOutcome

    # One appeal per decision: the plan's internal appeal has one level here; what follows an
    # upheld decision is outside the plan (external review, the IRE, a State fair hearing).
    original = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="appeal")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="appeal_record")
    appellant_kind = models.CharField(max_length=20, choices=AppellantKind.choices)
    appellant_name = models.CharField(max_length=200)
    received_at = models.DateTimeField(help_text="When the plan received the appeal.")
    reason = models.TextField(help_text="Why the appellant disagrees, in their words.")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=25, choices=AppealOutcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Medicare Advantage: a reconsideration that affirms the denial in whole or in part goes
    # to the independent review entity (42 CFR 422.590(a)(2), 422.592(a)).
    ire_required = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("appellant_kind", AppellantKind),
                name="appeal_appellant_kind_valid",
            ),
            models.CheckConstraint(
                condition=in_choices("outcome", AppealOutcome, blank=True),
                name="appeal_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", decided_at__isnull=True)
                | (~Q(outcome="") & Q(decided_at__isnull=False)),
                name="appeal_decided_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(ire_required=False) | Q(outcome__in=["upheld", "partially_overturned"]),
                name="appeal_ire_only_when_upheld",
            ),
            models.CheckConstraint(
                condition=~Q(original=models.F("case")), name="appeal_not_of_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.case.reference} of {self.original.reference}"
