"""Claim lines for drugs a policy lists: each pends with the version's remark code and is
adjudicated against the member's authorizations (services/claims.py)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from reviews.models.audit import AppendOnlyModel
from reviews.models.choices import in_choices
from reviews.models.decisions import Determination
from reviews.models.policy import GroupCode, PolicyVersion


class AdjustmentCodeKind(models.TextChoices):
    CARC = "carc", "Claim adjustment reason code"
    GROUP = "group", "Claim adjustment group code"


class AdjustmentCode(models.Model):
    """A claim adjustment reason code (CARC) or group code, with its wording as checked at
    its source. Seeded by migration 0027; an administrator keeps the wording current."""

    Kind = AdjustmentCodeKind

    kind = models.CharField(max_length=5, choices=Kind.choices)
    code = models.CharField(max_length=5)
    wording = models.TextField()
    source = models.TextField(help_text="Where the wording was checked (addresses, date).")

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="adjustmentcode_unique"),
            models.CheckConstraint(
                condition=in_choices("kind", AdjustmentCodeKind), name="adjustmentcode_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.wording}"


class AuthorizationBalance(models.Model):
    """The units an authorization allows and has spent. An issued Determination never
    changes (a trigger refuses it), so its spending lives here; adjudication locks this row
    (SELECT ... FOR UPDATE) so two claim lines can never spend the same units."""

    determination = models.OneToOneField(
        Determination, on_delete=models.PROTECT, primary_key=True, related_name="balance"
    )
    units_authorized = models.PositiveIntegerField()
    units_used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # The last guard: whatever a service does, the database never lets units be
            # spent beyond what was authorized.
            models.CheckConstraint(
                condition=Q(units_used__lte=F("units_authorized")),
                name="authorizationbalance_never_overspent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.determination_id}: {self.units_used}/{self.units_authorized}"

    @property
    def units_remaining(self) -> int:
        return self.units_authorized - self.units_used


class ClaimLineStatus(models.TextChoices):
    PENDED = "pended", "Pended"
    PAID = "paid", "Paid"
    DENIED = "denied", "Denied"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PENDED_REVIEW = "pended_review", "Pended for review"


class ClaimLine(models.Model):
    """One service line of a claim for a drug. `claim_line_id` is the sender's idempotency
    key: the same id again returns this line."""

    Status = ClaimLineStatus
    GroupCode = GroupCode

    claim_line_id = models.CharField("claim line id", max_length=64, unique=True)
    member_id = models.CharField(max_length=40)
    date_of_service = models.DateField()
    hcpcs_code = models.CharField("HCPCS code", max_length=5)
    ndc = models.CharField("NDC", max_length=11, blank=True)
    units = models.PositiveIntegerField()
    modifiers = models.JSONField(default=list, blank=True, help_text='e.g. ["JZ"]')
    billed_amount = models.DecimalField(max_digits=10, decimal_places=2)
    billing_npi = models.CharField("billing NPI", max_length=10)
    rendering_npi = models.CharField("rendering NPI", max_length=10)
    participating = models.BooleanField(help_text="The provider is in the plan's network.")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDED)
    remark_code = models.CharField(max_length=20, blank=True)
    units_paid = models.PositiveIntegerField(default=0)
    units_denied = models.PositiveIntegerField(default=0)
    carc = models.CharField("CARC", max_length=5, blank=True)
    group_code = models.CharField(max_length=2, choices=GroupCode.choices, blank=True)
    policy_version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorization = models.ForeignKey(
        Determination,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claim_lines",
        help_text="The authorization the line was counted against.",
    )
    review_reason = models.TextField(blank=True, help_text="Why it pends for review.")
    resolution_reason = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("status", ClaimLineStatus), name="claimline_status_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("group_code", GroupCode, blank=True),
                name="claimline_group_code_valid",
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="claimline_units_positive"),
            models.CheckConstraint(
                condition=Q(units_paid__lte=F("units") - F("units_denied")),
                name="claimline_units_add_up",
            ),
            # A denial names its reason and who bears it.
            models.CheckConstraint(
                condition=~Q(status__in=["denied", "partially_paid"])
                | (~Q(carc="") & ~Q(group_code="")),
                name="claimline_denial_has_codes",
            ),
        ]
        indexes = [
            # claim_line_list(): lines by status, newest first.
            models.Index(fields=["status", "-created_at"], name="claimline_status_idx"),
            # Adjudication: a member's lines; the member's authorizations are found by case.
            models.Index(fields=["member_id", "date_of_service"], name="claimline_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_line_id} {self.hcpcs_code} x{self.units} {self.get_status_display()}"


class ClaimLineEventKind(models.TextChoices):
    RECEIVED = "received", "Received and pended"
    ADJUDICATED = "adjudicated", "Adjudicated"
    RESOLVED = "resolved", "Resolved by an examiner"


class ClaimLineEvent(AppendOnlyModel):
    """Append-only: what happened to a claim line, by whom, when (a line may have no case,
    so its trail is its own; a line counted against an authorization is also on the case's)."""

    Kind = ClaimLineEventKind

    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("kind", ClaimLineEventKind), name="claimlineevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.kind}"

    @property
    def to_status_label(self) -> str:
        return ClaimLineStatus(self.to_status).label if self.to_status else ""
