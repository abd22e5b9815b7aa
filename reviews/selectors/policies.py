"""Reads of policies and their versions."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from reviews import permissions
from reviews.engine.drugs import code_matches, hcpcs_normal, name_matches
from reviews.errors import NotFound
from reviews.models import Criterion, Policy, PolicyDrug, PolicyVersion
from reviews.policy_documents import version_prefetched


def policy_version_in_force(*, policy: Policy, on: date) -> PolicyVersion | None:
    """The published version in force on a date: the latest effective date on or before it.

    A case is pinned to the version in force on the day its request was received.
    """
    return (
        PolicyVersion.objects.filter(
            policy=policy, status=PolicyVersion.Status.PUBLISHED, effective_date__lte=on
        )
        .order_by("-effective_date")
        .first()
    )


def policy_drug_find(
    *, drug: str = "", hcpcs_code: str = ""
) -> tuple[Policy | None, PolicyDrug | None]:
    """The policy for a requested drug, and which of its drugs the request named.

    The drug is named by brand or generic name, or an NDC, in any case and with stray
    punctuation ("BRANDNAME®", "genericumab.", "0078-1007-68"), or by a HCPCS code (typed in
    either field). A name decides when given: unclassified codes such as J3490 cover many
    drugs, so a code alone finds a policy only when exactly one policy lists it, and names
    the drug only when one drug of that policy has it.
    """
    rows = list(PolicyDrug.objects.select_related("policy").order_by("policy__number"))
    as_code = hcpcs_normal(drug) if drug.strip() else None
    if drug.strip() and as_code is None:
        for row in rows:
            if name_matches(drug, row.as_dict()):
                return row.policy, row
        return None, None
    code = as_code or hcpcs_code
    if not code.strip():
        return None, None
    having = [row for row in rows if code_matches(code, row.as_dict())]
    policies = {row.policy_id for row in having}
    if len(policies) != 1:
        return None, None
    return having[0].policy, having[0] if len(having) == 1 else None


def _may_read_policies(user) -> bool:
    return permissions.can_view_cases(user) or permissions.can_manage_policies(user)


def policy_list_for_user(*, user):
    """Policies with their versions, for staff who review cases or keep policies."""
    if not _may_read_policies(user):
        raise NotFound
    return Policy.objects.prefetch_related(
        "drugs", Prefetch("versions", queryset=PolicyVersion.objects.order_by("-number"))
    )


def policy_version_get_for_user(*, user, version_id: int) -> PolicyVersion:
    """A version with everything its page shows; 404 to anyone who may not read policies."""
    if not _may_read_policies(user):
        raise NotFound
    try:
        return version_prefetched(version_id)
    except PolicyVersion.DoesNotExist:
        raise NotFound from None


def policy_version_for_editing(*, user, version_id: int) -> PolicyVersion:
    """A version for the policy editor: 404 to whoever may not read policies, 403 to case
    staff (they read policies but never change them). A published version is returned too:
    the editor shows it read-only and the services refuse to change it."""
    if not _may_read_policies(user):
        raise NotFound
    if not permissions.can_manage_policies(user):
        raise PermissionDenied("Only policy admins edit policies.")
    try:
        return PolicyVersion.objects.select_related("policy").get(pk=version_id)
    except PolicyVersion.DoesNotExist:
        raise NotFound from None


def criteria_outline(version: PolicyVersion) -> list[tuple[Criterion, int]]:
    """A version's criteria in outline order, each with its depth (the root's is 0)."""
    children: dict[int | None, list[Criterion]] = {}
    for node in version.criteria.all():
        children.setdefault(node.parent_id, []).append(node)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.position, c.pk))
    rows: list[tuple[Criterion, int]] = []

    def walk(node: Criterion, depth: int) -> None:
        rows.append((node, depth))
        for child in children.get(node.pk, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return rows


def version_lists(version: PolicyVersion) -> dict[str, dict]:
    """The version's lists as the engine reads them (key -> title and items)."""
    return {
        lst.key: {
            "title": lst.title,
            "items": [
                {"name": i.name, "generic": i.generic, "synonyms": list(i.synonyms)}
                for i in lst.items.all()
            ],
        }
        for lst in version.lists.prefetch_related("items")
    }


def version_indications(version: PolicyVersion) -> list[dict]:
    """The version's indications as the engine reads them (key, name, diagnosis codes)."""
    return [
        {"key": i.key, "name": i.name, "diagnosis_codes": list(i.diagnosis_codes)}
        for i in version.indications.order_by("position", "pk")
    ]
