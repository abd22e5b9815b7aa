"""Policy versions: load from a document, check, publish, clone, retire.

A published version never changes (cases are pinned to it); every write here refuses one.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from reviews import permissions
from reviews.dates import screen_date
from reviews.engine import document, testcases
from reviews.engine.drugs import name_key
from reviews.errors import PolicyInvalid, PolicyVersionLocked
from reviews.models import (
    Criterion,
    Indication,
    Policy,
    PolicyDrug,
    PolicyList,
    PolicyListItem,
    PolicyTestCase,
    PolicyVersion,
)
from reviews.policy_documents import (
    criteria_rows,
    indication_rows,
    json_safe,
    version_document,
    version_fields_from_document,
    version_prefetched,
    version_read,
)
from reviews.reference_lists import reference_lists


def require_policy_admin(actor) -> None:
    # None is the command line (load_policy), run by whoever operates the server.
    if actor is not None and not permissions.can_manage_policies(actor):
        raise PermissionDenied("Only policy admins may change policies.")


def assert_draft(version: PolicyVersion) -> None:
    if not version.is_draft:
        raise PolicyVersionLocked(
            f"Version {version.number} of policy {version.policy.number} is "
            f"{version.get_status_display().lower()}: published versions never change. "
            "Clone it to a new draft to make changes."
        )


def policy_version_check(*, version: PolicyVersion) -> list[str]:
    """Every problem that would stop publishing: structure first, then the test cases."""
    doc, problems = version_read(version_prefetched(version.pk))
    if problems:
        return problems
    if not doc["version"]["test_cases"]:
        return ["The version has no test cases; add at least one before publishing."]
    return [
        f'Test case "{result.name}": {"; ".join(result.messages)}'
        for result in testcases.run_test_cases(doc, references=reference_lists())
        if not result.passed
    ]


@transaction.atomic
def policy_version_publish(*, version: PolicyVersion, actor) -> PolicyVersion:
    require_policy_admin(actor)
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    assert_draft(version)
    problems = policy_version_check(version=version)
    if problems:
        raise PolicyInvalid(
            f"Version {version.number} was not published: {len(problems)} problem(s).", problems
        )
    clash = PolicyVersion.objects.filter(
        policy=version.policy,
        status=PolicyVersion.Status.PUBLISHED,
        effective_date=version.effective_date,
    ).first()
    if clash:
        raise PolicyInvalid(
            "Version was not published.",
            [
                f"Version {clash.number} is already published with effective date "
                f"{screen_date(version.effective_date)}; give this version another effective date."
            ],
        )
    version.status = PolicyVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


@transaction.atomic
def policy_version_retire(*, version: PolicyVersion, actor) -> PolicyVersion:
    """Withdraw a published version: no case received from now on is pinned to it."""
    require_policy_admin(actor)
    updated = PolicyVersion.objects.filter(
        pk=version.pk, status=PolicyVersion.Status.PUBLISHED
    ).update(status=PolicyVersion.Status.RETIRED)
    if updated != 1:
        raise PolicyVersionLocked("Only a published version can be retired.")
    version.status = PolicyVersion.Status.RETIRED
    return version


@transaction.atomic
def policy_version_clone(
    *, version: PolicyVersion, actor, effective_date: date | None = None
) -> PolicyVersion:
    """A new draft with everything the source version says, numbered after the last one."""
    require_policy_admin(actor)
    source = version_prefetched(version.pk)
    # Lock the policy row so two admins cloning at once get different numbers.
    Policy.objects.select_for_update().get(pk=source.policy_id)
    number = (source.policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    doc = version_document(source)
    doc["version"].update(
        number=number,
        status=PolicyVersion.Status.DRAFT,
        effective_date=effective_date or timezone.localdate(),
    )
    clone = _version_create(policy=source.policy, doc=doc, actor=actor)
    clone.cloned_from = source
    clone.save(update_fields=["cloned_from"])
    return clone


def _version_create(*, policy: Policy, doc: dict[str, Any], actor) -> PolicyVersion:
    version = PolicyVersion.objects.create(
        policy=policy, created_by=actor, **version_fields_from_document(doc)
    )
    version_fill(version=version, doc=doc)
    return version


def version_fill(*, version: PolicyVersion, doc: dict[str, Any]) -> None:
    body = doc["version"]
    Indication.objects.bulk_create(
        Indication(version=version, **fields) for fields in indication_rows(doc)
    )
    for position, (key, data) in enumerate(body["lists"].items()):
        policy_list = PolicyList.objects.create(
            version=version, key=key, title=data["title"], position=position
        )
        PolicyListItem.objects.bulk_create(
            PolicyListItem(
                policy_list=policy_list,
                position=i,
                name=item["name"],
                generic=item.get("generic", ""),
                as_written=item.get("as_written", ""),
                synonyms=list(item.get("synonyms", [])),
            )
            for i, item in enumerate(data["items"])
        )
    by_label: dict[str, Criterion] = {}
    # A draft's raw document has no tree while its criteria have no single root.
    for fields, parent, position in criteria_rows(body["criteria"]) if body["criteria"] else []:
        by_label[fields["label"]] = Criterion.objects.create(
            version=version,
            parent=by_label.get(parent) if parent else None,
            position=position,
            **fields,
        )
    PolicyTestCase.objects.bulk_create(
        PolicyTestCase(
            version=version,
            position=i,
            name=case["name"],
            request_type=case["request_type"],
            indication=case.get("indication") or "",
            answers=case.get("answers", {}),
            facts=json_safe(case.get("facts") or {}),
            expect=json_safe(case["expect"]),
        )
        for i, case in enumerate(body["test_cases"])
    )


def version_clear(version: PolicyVersion) -> None:
    version.test_cases.all().delete()
    version.lists.all().delete()
    version.indications.all().delete()
    # Children first: a parent cannot go while rows still point at it.
    for criterion in sorted(version.criteria.all(), key=lambda c: c.parent_id is None):
        criterion.delete()


def policy_drugs_set(*, policy: Policy, drugs: list[dict[str, Any]]) -> None:
    """Make the policy's drugs those of the document. A drug keeps its row (and the cases
    that point at it) when its brand is still listed; one that cases asked for is never
    dropped."""
    existing = {name_key(d.brand): d for d in policy.drugs.select_for_update()}
    kept: set[int] = set()
    for position, drug in enumerate(drugs):
        row = existing.get(name_key(drug["brand"])) or PolicyDrug(policy=policy)
        row.position = position
        row.brand, row.generic = drug["brand"], drug["generic"]
        row.hcpcs_codes, row.ndcs = list(drug["hcpcs_codes"]), list(drug["ndcs"])
        row.save()
        kept.add(row.pk)
    gone = [d for d in existing.values() if d.pk not in kept]
    asked = [str(d) for d in gone if d.cases.exists()]
    if asked:
        raise PolicyInvalid(
            "The document was not loaded.",
            [
                f"policy.drugs: {name} is no longer listed, but cases asked for it; "
                "keep it in the policy's drugs."
                for name in asked
            ],
        )
    PolicyDrug.objects.filter(pk__in=[d.pk for d in gone]).delete()


@transaction.atomic
def policy_load(*, doc: dict[str, Any], actor=None) -> tuple[PolicyVersion, str]:
    """Create or update a policy version from a parsed document. Idempotent.

    Returns the version and what happened: "created", "updated" (a draft replaced) or
    "unchanged". A published version that differs from the document is refused.
    """
    require_policy_admin(actor)
    info = doc["policy"]
    policy, _ = Policy.objects.update_or_create(
        number=info["number"], defaults={"title": info["title"]}
    )
    policy_drugs_set(policy=policy, drugs=info["drugs"])
    number = doc["version"]["number"]
    existing = (
        PolicyVersion.objects.select_for_update().filter(policy=policy, number=number).first()
    )
    if existing is not None:
        if document.dump(version_document(version_prefetched(existing.pk))) == document.dump(doc):
            return existing, "unchanged"
        assert_draft(existing)
    wanted_status = doc["version"]["status"]
    # Publishing goes through the same checks as the admin's publish action.
    staged = {**doc, "version": {**doc["version"], "status": PolicyVersion.Status.DRAFT}}
    if existing is not None:
        version_clear(existing)
        for field, value in version_fields_from_document(staged).items():
            setattr(existing, field, value)
        existing.save()
        version_fill(version=existing, doc=staged)
        version, outcome = existing, "updated"
    else:
        try:
            with transaction.atomic():
                version = _version_create(policy=policy, doc=staged, actor=actor)
        except IntegrityError as error:
            raise PolicyInvalid("The document was not loaded.", [str(error)]) from error
        outcome = "created"
    if wanted_status != PolicyVersion.Status.DRAFT:
        version = policy_version_publish(version=version, actor=actor)
        if wanted_status == PolicyVersion.Status.RETIRED:
            version = policy_version_retire(version=version, actor=actor)
    return version, outcome
