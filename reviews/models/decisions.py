"""Decisions on a case: the determination, and what a physician records beside it
(information requests, peer-to-peer conversations)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviews.engine.numbers import plain_number
from reviews.models.case import Case
from reviews.models.deadlines import duration_text
from reviews.models.policy import PolicyVersion


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
        indexes = [
            # The renewals list: authorizations ending in a window of days
            # (selectors.renewals.renewals_due: approval_end BETWEEN today AND today + 60).
            models.Index(fields=["approval_end"], name="determination_end_idx"),
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
        if self.authorized_amount is None:
            return f"{self.authorized_doses} doses"  # a per-kg dose without a weight, say
        amount = plain_number(self.authorized_amount)
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


class InfoRequest(models.Model):
    """A physician asked for more information; the case waits until a document arrives or
    the wait ends, then returns to the physician queue."""

    class Resolution(models.TextChoices):
        DOCUMENT_ARRIVED = "document_arrived", "A document arrived"
        WAIT_ENDED = "wait_ended", "The wait ended"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="info_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    missing = models.TextField(help_text="What is missing, in words the prescriber can act on.")
    wait_until = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["case_id", "-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution__in=["", "document_arrived", "wait_ended"]),
                name="inforequest_resolution_valid",
            ),
            # At most one open request per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(resolved_at__isnull=True),
                name="inforequest_one_open_per_case",
            ),
        ]
        indexes = [
            # deadline_sweep(): open requests whose wait has ended.
            models.Index(fields=["resolved_at", "wait_until"], name="inforequest_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.missing[:60]}"


class PeerToPeer(models.Model):
    """A peer-to-peer conversation offered to the prescriber, and what came of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="peer_to_peers")
    offered_at = models.DateTimeField()
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    with_whom = models.CharField(
        max_length=200, blank=True, help_text="Who the physician reviewer spoke with."
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["case_id", "offered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | ~Q(with_whom=""),
                name="peertopeer_held_names_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} peer-to-peer offered {self.offered_at:%Y-%m-%d}"
