"""What the JSON API keeps besides the domain: the Idempotency-Key of each case created."""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key on POST /api/v1/cases/, with the case it created.

    A retry with the same key and the same body returns that case instead of a second one;
    the same key with a different body is refused (409). Keys are per user.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    case = models.ForeignKey("reviews.Case", on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self):
        return f"{self.key} → {self.case_id}"
