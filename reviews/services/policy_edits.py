"""Editing a draft version in place, one saved change at a time, with undo.

Every change the policy editor makes goes through `policy_edit`: it locks the draft, refuses
a published one, keeps the draft as it stood before (so `policy_edit_undo` can put it back)
and records what was done. The areas of the editor (outline, details, indications, lists,
drugs, test cases) write their rows inside it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import transaction

from reviews.errors import ReviewError
from reviews.models import Policy, PolicyEdit, PolicyVersion
from reviews.policy_documents import (
    json_safe,
    version_document_raw,
    version_fields_from_document,
    version_prefetched,
)
from reviews.services.policies import (
    assert_draft,
    policy_drugs_set,
    require_policy_admin,
    version_clear,
    version_fill,
)

# How many earlier states of a draft are kept for undo.
UNDO_DEPTH = 50
_DATE_FIELDS = (
    "effective_date",
    "initial_effective_date",
    "annual_review_date",
    "last_revised_date",
)


class NothingToUndo(ReviewError):
    """Undo asked for on a draft with no saved change left to take back."""


def draft_snapshot(version: PolicyVersion) -> dict[str, Any]:
    """The whole draft as JSON: its raw document (valid or not, as drafts may be)."""
    return json_safe(version_document_raw(version_prefetched(version.pk)))


@contextmanager
def policy_edit(*, version: PolicyVersion, actor, summary: str) -> Iterator[PolicyVersion]:
    """Make one change to a draft: yields the locked draft; on leaving, the change is saved
    with the draft as it was before it, for undo. Raises PolicyVersionLocked on a version
    that is not a draft and PermissionDenied for anyone but a policy admin."""
    require_policy_admin(actor)
    with transaction.atomic():
        locked = (
            PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
        )
        assert_draft(locked)
        before = draft_snapshot(locked)
        yield locked
        PolicyEdit.objects.create(version=locked, actor=actor, summary=summary[:300], before=before)
        stale = PolicyEdit.objects.filter(version=locked).values_list("pk", flat=True)[UNDO_DEPTH:]
        PolicyEdit.objects.filter(pk__in=list(stale)).delete()


def policy_edit_last(version: PolicyVersion) -> PolicyEdit | None:
    return PolicyEdit.objects.filter(version=version).select_related("actor").first()


@transaction.atomic
def policy_edit_undo(*, version: PolicyVersion, actor) -> PolicyEdit:
    """Put the draft back as it was before its last saved change; returns that change."""
    require_policy_admin(actor)
    locked = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    assert_draft(locked)
    last = PolicyEdit.objects.filter(version=locked).first()
    if last is None:
        raise NothingToUndo("There is no change to undo.")
    _draft_restore(locked, last.before)
    last.delete()
    return last


def _draft_restore(version: PolicyVersion, raw: dict[str, Any]) -> None:
    body = raw["version"]
    for field in _DATE_FIELDS:
        if isinstance(body.get(field), str):
            body[field] = date.fromisoformat(body[field])
    Policy.objects.filter(pk=version.policy_id).update(title=raw["policy"]["title"])
    policy_drugs_set(policy=version.policy, drugs=raw["policy"]["drugs"])
    version_clear(version)
    fields = version_fields_from_document(raw)
    fields.pop("number"), fields.pop("status")
    for field, value in fields.items():
        setattr(version, field, value)
    version.save()
    version_fill(version=version, doc=raw)
