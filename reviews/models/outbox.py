"""The transactional outbox: background work recorded in the transaction it follows."""

from django.db import models
from django.db.models import Q


class TaskOutbox(models.Model):
    """A Celery task to send, written in the same transaction as the work it follows.

    If the decision commits, so does the row; if the broker is down at that moment, the row
    stays pending and `reviews.tasks.outbox_dispatch` (beat, every minute) sends it once the
    broker is back. Tasks are idempotent, so a row sent twice does no harm. `kwargs` holds
    ids only, never patient data.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            # services.outbox.outbox_dispatch_pending: pending rows, oldest first.
            models.Index(
                fields=["id"],
                condition=Q(dispatched_at__isnull=True),
                name="task_outbox_pending",
            ),
        ]

    def __str__(self) -> str:
        state = "sent" if self.dispatched_at else "pending"
        return f"{self.task_name} #{self.pk} ({state})"
