"""What the policy editor changed, one row per edit, so the last change can be undone."""

from django.conf import settings
from django.db import models

from reviews.models.policy import PolicyVersion


class PolicyEdit(models.Model):
    """One saved edit of a draft version: what it was, who made it, and the whole draft as
    it stood before (the raw document, reviews/policy_documents.version_document_raw), which
    undo puts back. Edits are only ever made to drafts, which no case is pinned to."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="edits")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=300)
    before = models.JSONField()

    class Meta:
        ordering = ["version_id", "-at", "-pk"]
        indexes = [models.Index(fields=["version", "-at"], name="policyedit_latest_idx")]

    def __str__(self) -> str:
        return f"{self.version}: {self.summary}"
