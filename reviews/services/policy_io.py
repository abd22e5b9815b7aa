"""Versions in and out as YAML, and what to read before publishing.

Import always makes a NEW DRAFT: a file never replaces or changes a published version, so an
admin can import, read the comparison and the warnings, and publish as for any draft.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from reviews.engine import document
from reviews.engine.consistency import ConsistencyWarning, consistency_warnings
from reviews.errors import PolicyInvalid
from reviews.models import Policy, PolicyVersion
from reviews.policy_documents import (
    version_document,
    version_document_raw,
    version_fields_from_document,
    version_prefetched,
)
from reviews.reference_lists import reference_lists
from reviews.services.policies import policy_drugs_set, require_policy_admin, version_fill

# A policy file is tens of kilobytes (the largest committed one is about 43 KB).
MAX_IMPORT_BYTES = 1024 * 1024


class ImportInvalid(PolicyInvalid):
    """A file that is not a valid policy document: `document_problems` keeps each problem's
    line and path (engine.document.Problem) so the page can show them as a table."""

    def __init__(self, message: str, problems: list[document.Problem]):
        super().__init__(message, [str(p) for p in problems])
        self.document_problems = problems


@dataclass(frozen=True)
class Imported:
    version: PolicyVersion
    policy_created: bool
    # The number the file gave, when the draft got another (that number was taken).
    renumbered_from: int | None
    # The status the file gave, when it was not draft.
    status_was: str | None


def policy_last_published(*, version: PolicyVersion) -> PolicyVersion | None:
    """The policy's latest published version other than this one (by number)."""
    return (
        PolicyVersion.objects.filter(
            policy_id=version.policy_id, status=PolicyVersion.Status.PUBLISHED
        )
        .exclude(pk=version.pk)
        .order_by("-number")
        .first()
    )


def policy_version_warnings(
    *, version: PolicyVersion, today: date | None = None
) -> list[ConsistencyWarning]:
    """The consistency warnings of a version (any status, valid or not), as of today."""
    last = policy_last_published(version=version)
    return consistency_warnings(
        version_document_raw(version_prefetched(version.pk)),
        today=today or timezone.localdate(),
        last_published_effective=last.effective_date if last else None,
    )


def policy_version_export(*, version: PolicyVersion) -> tuple[str, str]:
    """(file name, canonical YAML) of a version; DocumentError while a draft is not valid."""
    text = document.dump(version_document(version_prefetched(version.pk)))
    return f"policy-{version.policy.number}-v{version.number}.yaml", text


def policy_document_read(data: bytes) -> dict[str, Any]:
    """A file's bytes -> a validated document; ImportInvalid lists every problem found."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportInvalid(
            "The file is too large.",
            [
                document.Problem(
                    "file",
                    None,
                    f"the file is {len(data):,} bytes; a policy file may be at most "
                    f"{MAX_IMPORT_BYTES:,} bytes",
                )
            ],
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportInvalid(
            "The file is not text.",
            [
                document.Problem(
                    "file", None, f"the file is not UTF-8 text (byte {error.start + 1})"
                )
            ],
        ) from None
    try:
        return document.parse(text, references=reference_lists())
    except document.DocumentError as error:
        raise ImportInvalid(
            f"The file is not a valid policy document: {len(error.problems)} "
            f"problem{'' if len(error.problems) == 1 else 's'}.",
            list(error.problems),
        ) from None


@transaction.atomic
def policy_import(*, doc: dict[str, Any], actor) -> Imported:
    """A parsed document as a new draft. A policy number not seen before creates the
    policy (and the draft keeps the file's version number); an existing policy gets a draft
    numbered after its last version, and its title and drugs become the file's."""
    require_policy_admin(actor)
    info, body = doc["policy"], dict(doc["version"])
    policy = Policy.objects.select_for_update().filter(number=info["number"]).first()
    created = policy is None
    if created:
        try:
            with transaction.atomic():
                policy = Policy.objects.create(number=info["number"], title=info["title"])
        except IntegrityError:  # another admin created it in the same moment
            raise PolicyInvalid(
                "The file was not imported.",
                [f"Policy {info['number']} was just created by someone else; import again."],
            ) from None
        number = body["number"]
    else:
        last = policy.versions.aggregate(n=Max("number"))["n"] or 0
        number = max(last + 1, 1)
        if policy.title != info["title"]:
            policy.title = info["title"]
            policy.save(update_fields=["title"])
    policy_drugs_set(policy=policy, drugs=info["drugs"])
    status_was = body["status"] if body["status"] != PolicyVersion.Status.DRAFT else None
    body.update(number=number, status=PolicyVersion.Status.DRAFT)
    staged = {**doc, "version": body}
    try:
        with transaction.atomic():
            version = PolicyVersion.objects.create(
                policy=policy, created_by=actor, **version_fields_from_document(staged)
            )
            version_fill(version=version, doc=staged)
    except IntegrityError as error:
        raise PolicyInvalid("The file was not imported.", [str(error)]) from error
    return Imported(
        version=version,
        policy_created=created,
        renumbered_from=doc["version"]["number"] if doc["version"]["number"] != number else None,
        status_was=status_was,
    )
