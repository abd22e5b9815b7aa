"""The files of a case: documents, their text per page, and uploads kept across a refused intake."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models.case import Case
from reviews.models.choices import DocumentKind, ExtractionStatus, in_choices


class Document(models.Model):
    """A file submitted with a case. Stored privately under a random name."""

    Kind = DocumentKind
    Extraction = ExtractionStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    extraction_status = models.CharField(
        max_length=20, choices=Extraction.choices, default=Extraction.PENDING
    )
    extraction_error = models.TextField(blank=True)

    class Meta:
        ordering = ["case_id", "uploaded_at", "pk"]
        constraints = [
            # The same file twice on one case is refused (the service says which file).
            models.UniqueConstraint(fields=["case", "sha256"], name="document_unique_per_case"),
            models.CheckConstraint(
                condition=in_choices("kind", DocumentKind), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("extraction_status", ExtractionStatus),
                name="document_extraction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_previewable_image(self) -> bool:
        # Browsers show PNG and JPEG; TIFF gets a link instead.
        return self.content_type in {"image/png", "image/jpeg"}


class StagedUpload(models.Model):
    """A file sent with an intake that failed validation, kept privately for its sender's
    corrected submission, which attaches it to the new case. Only the user who sent it can
    name it (by its random token); older than MAX_AGE, it is purged."""

    MAX_AGE = timedelta(hours=24)

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DocumentPage(models.Model):
    """The text of one page of a PDF, extracted in the background."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(help_text="1-based.")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="documentpage_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} p. {self.number}"
