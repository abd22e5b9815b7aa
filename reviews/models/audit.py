"""Append-only audit of access: sign-ins, sign-outs and failed sign-ins. Case events live in
CaseEvent; both refuse change in the model layer and, on PostgreSQL, in the database."""

from django.conf import settings
from django.db import models
from django.utils import timezone


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
