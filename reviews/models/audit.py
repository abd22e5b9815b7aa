"""The append-only audit: access (sign-ins, sign-outs, failed sign-ins, tokens) and case
events. Both refuse change in the model layer and, on PostgreSQL, in the database."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models.case import Case
from reviews.models.choices import CaseStatus, in_choices


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit rows are append-only: they are never updated.")

    def delete(self):
        raise PermissionError("Audit rows are append-only: they are never deleted.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once; saving an existing row or deleting one raises."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit rows are append-only: they are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit rows are append-only: they are never deleted.")


class AccessEventKind(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    TOKEN_ISSUED = "token_issued", "API token issued"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    PASSWORD_CHANGED = "password_changed", "Password changed"


class AccessEvent(AppendOnlyModel):
    Kind = AccessEventKind

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a failed sign-in: the name typed, cut short (it may be a mistyped password).
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AccessEventKind.values),
                name="accessevent_kind_valid",
            ),
        ]
        indexes = [
            # The audit search: newest first, optionally by user.
            models.Index(fields=["created_at"], name="accessevent_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.username} at {self.created_at:%Y-%m-%d %H:%M}"


class CaseEventKind(models.TextChoices):
    """What a case event records; the audit search lists these, labelled."""

    RECEIVED = "received", "Request received"
    STATUS = "status", "Status changed"
    CLAIMED = "claimed", "Claimed"
    ANSWER = "answer", "Criterion answered"
    CASE_VIEWED = "case_viewed", "Case viewed"
    DOCUMENT_ADDED = "document_added", "Document added"
    DOCUMENTS_REJECTED = "documents_rejected", "Documents refused"
    DOCUMENT_VIEWED = "document_viewed", "Document viewed"
    DOCUMENT_DOWNLOADED = "document_downloaded", "Document downloaded"
    DOCUMENT_TEXT_EXTRACTED = "document_text_extracted", "Document text read"
    DOCUMENT_TEXT_FAILED = "document_text_failed", "Document text unreadable"
    LETTER_ISSUED = "letter_issued", "Letter issued"
    LETTER_RENDERED = "letter_rendered", "Letter PDF made"
    LETTER_RENDER_FAILED = "letter_render_failed", "Letter PDF failed"
    LETTER_DOWNLOADED = "letter_downloaded", "Letter downloaded"
    DEADLINE_FLAG = "deadline_flag", "Deadline flag changed"
    PEER_TO_PEER_OFFERED = "peer_to_peer_offered", "Peer-to-peer offered"
    PEER_TO_PEER_HELD = "peer_to_peer_held", "Peer-to-peer held"
    FACT_ADDED = "fact_added", "Clinical fact added"
    FACT_CORRECTED = "fact_corrected", "Clinical fact corrected"
    INDICATION_CHOSEN = "indication_chosen", "Indication chosen"
    CONTINUATION_STARTED = "continuation_started", "Continuation started"
    CONTINUATION_REQUESTED = "continuation_requested", "Continuation requested"
    APPEAL_FILED = "appeal_filed", "Appeal filed"
    APPEAL_REFUSED = "appeal_refused", "Appeal refused (late)"
    APPEAL_DECIDED = "appeal_decided", "Appeal decided"
    CLAIM_LINE = "claim_line", "Claim line counted"


# What a status change was, read from its two statuses (the event stores both): the label the
# audit shows instead of "status", and the search's filter. First match wins; `froms` None
# means any status before.
S = CaseStatus
STATUS_CHANGES: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("approved", "Approved", S.APPROVED, None),
    ("partially_approved", "Partially approved", S.PARTIALLY_APPROVED, None),
    ("denied", "Denied", S.DENIED, None),
    ("info_requested", "Information requested", S.INFO_REQUESTED, None),
    ("escalated", "Escalated to a physician", S.PHYSICIAN_QUEUE, (S.NURSE_REVIEW,)),
    ("not_in_policy", "Sent to a physician: not in policy", S.PHYSICIAN_QUEUE, (S.RECEIVED,)),
    ("info_returned", "Back in the physician queue", S.PHYSICIAN_QUEUE, None),
    ("physician_took", "Taken up by a physician", S.PHYSICIAN_REVIEW, None),
    ("sent_to_nurse", "Sent to nurse review", S.NURSE_REVIEW, (S.RECEIVED,)),
    ("returned_to_nurse", "Returned to nurse review", S.NURSE_REVIEW, None),
)


def status_change(from_status: str, to_status: str) -> tuple[str, str]:
    """(slug, label) of a move from one status to another, e.g. ("escalated", "Escalated to
    a physician")."""
    for slug, label, to, froms in STATUS_CHANGES:
        if to_status == to and (froms is None or from_status in froms):
            return slug, label
    target = CaseStatus(to_status).label.lower() if to_status in CaseStatus.values else to_status
    return "moved", f"Moved to {target}"


class CaseEvent(AppendOnlyModel):
    """Append-only audit: who did what to which case, and when. Nothing updates a row."""

    Kind = CaseEventKind

    # No index of their own: (case, created_at) and (actor, created_at) below serve every
    # lookup by case or actor, in time order as well. A plain index beside each was two more
    # indexes to write on every event, in the largest table.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the system (background work).",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("from_status", CaseStatus, blank=True),
                name="caseevent_from_status_valid",
            ),
            models.CheckConstraint(
                condition=in_choices("to_status", CaseStatus, blank=True),
                name="caseevent_to_status_valid",
            ),
            models.CheckConstraint(
                condition=in_choices("kind", CaseEventKind), name="caseevent_kind_valid"
            ),
        ]
        indexes = [
            # The audit search, newest first (ORDER BY created_at DESC, id DESC LIMIT n), alone
            # or filtered by the actor or the kind; a case's audit page and timeline, in order.
            # Without them the search joins and sorts every event before its first page.
            models.Index(fields=["created_at", "id"], name="caseevent_time_idx"),
            models.Index(fields=["actor", "created_at"], name="caseevent_actor_time_idx"),
            models.Index(fields=["kind", "created_at"], name="caseevent_kind_time_idx"),
            models.Index(fields=["case", "created_at"], name="caseevent_case_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        """What happened, for people: the kind's label, or for a status change what it was
        ("Approved", "Escalated to a physician", ...)."""
        if self.kind == CaseEventKind.STATUS and self.to_status:
            if self.payload.get("appeal_of"):  # an appeal's intake, not a case out of policy
                return "Sent to a physician: appeal"
            return status_change(self.from_status, self.to_status)[1]
        try:
            return CaseEventKind(self.kind).label
        except ValueError:
            return self.kind

    @property
    def from_status_label(self) -> str:
        return CaseStatus(self.from_status).label if self.from_status else ""

    @property
    def to_status_label(self) -> str:
        return CaseStatus(self.to_status).label if self.to_status else ""
