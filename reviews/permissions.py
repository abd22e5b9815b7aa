"""Who may do what. Services call these; views only use them to shape pages."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

User = AbstractBaseUser | AnonymousUser


def _has(user: User, perm: str) -> bool:
    return bool(user.is_active and user.has_perm(f"reviews.{perm}"))


def can_view_cases(user: User) -> bool:
    return _has(user, "view_cases")


def can_intake(user: User) -> bool:
    return _has(user, "intake_case")


def can_review_as_nurse(user: User) -> bool:
    return _has(user, "review_as_nurse")


def can_review_as_physician(user: User) -> bool:
    return _has(user, "review_as_physician")


def can_issue_denial(user: User) -> bool:
    return _has(user, "issue_denial")


def can_manage_policies(user: User) -> bool:
    return _has(user, "manage_policies")


def can_view_audit(user: User) -> bool:
    return _has(user, "view_audit")


def can_examine_claims(user: User) -> bool:
    return _has(user, "examine_claims")
