"""The letter each determination produces."""

from django.db import models
from django.db.models import Q

from reviews.models.decisions import Determination


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
