"""What the physician side records beyond the determination: information requests,
peer-to-peer conversations, and the letter each determination produces."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviews.models.case import Case
from reviews.models.review import Determination


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
        ordering = ["case", "-requested_at"]
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
        ordering = ["case", "offered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | ~Q(with_whom=""),
                name="peertopeer_held_names_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} peer-to-peer offered {self.offered_at:%Y-%m-%d}"


class Letter(models.Model):
    """The letter of a determination: HTML kept as issued, then a PDF rendered in the
    background and stored privately with its hash."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being rendered"
        RENDERED = "rendered", "Ready"
        FAILED = "failed", "Failed"

    determination = models.OneToOneField(
        Determination, on_delete=models.PROTECT, related_name="letter"
    )
    html = models.TextField(help_text="The letter as issued; the PDF is rendered from it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    storage_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "rendered", "failed"]),
                name="letter_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rendered") | ~Q(sha256=""), name="letter_rendered_has_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"Letter for {self.determination.authorization_number} ({self.status})"
