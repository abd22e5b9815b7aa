from django.db import models


class Capability(models.Model):
    """Holds the app's role permissions; it has no table.

    Services check these (``user.has_perm("reviews.review_as_nurse")``), and the role groups
    carry them (reviews/roles.py), so a role is data an administrator can inspect.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_cases", "Can see cases and their documents"),
            ("intake_case", "Can enter prior-authorization requests"),
            ("review_as_nurse", "Can review cases as a nurse reviewer"),
            ("review_as_physician", "Can review cases as a physician reviewer"),
            ("issue_denial", "Can deny a request (physician reviewers only)"),
            ("manage_policies", "Can edit and publish drug policy versions"),
            ("view_audit", "Can read the audit trail"),
            ("examine_claims", "Can enter, read and resolve claim lines"),
        ]

    def __str__(self) -> str:
        return "Role capabilities"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the heartbeat task; /health/ reads it."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
