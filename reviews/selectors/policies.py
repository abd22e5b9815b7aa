"""Reads of policies and their versions."""

from datetime import date

from django.db.models import Prefetch

from reviews import permissions
from reviews.errors import NotFound
from reviews.models import Policy, PolicyVersion
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


def policy_find_for_drug(*, drug: str = "", hcpcs_code: str = "") -> Policy | None:
    """The policy for a drug named by brand or generic name, or by its HCPCS code.

    The name decides when given: unclassified codes such as J3490 cover many drugs, so a
    code alone finds a policy only when exactly one policy lists it.
    """
    drug = " ".join(drug.split()).lower()
    if drug:
        for policy in Policy.objects.all():
            names = {policy.drug_name.lower(), policy.generic_name.lower()}
            if drug in names or any(drug.startswith(f"{n} ") for n in names if n):
                return policy
        return None
    code = hcpcs_code.strip().upper()
    if not code:
        return None
    matches = [p for p in Policy.objects.all() if code in {c.upper() for c in p.hcpcs_codes}]
    return matches[0] if len(matches) == 1 else None


def _may_read_policies(user) -> bool:
    return permissions.can_view_cases(user) or permissions.can_manage_policies(user)


def policy_list_for_user(*, user):
    """Policies with their versions, for staff who review cases or keep policies."""
    if not _may_read_policies(user):
        raise NotFound
    return Policy.objects.prefetch_related(
        Prefetch("versions", queryset=PolicyVersion.objects.order_by("-number"))
    )


def policy_version_get_for_user(*, user, version_id: int) -> PolicyVersion:
    """A version with everything its page shows; 404 to anyone who may not read policies."""
    if not _may_read_policies(user):
        raise NotFound
    try:
        return version_prefetched(version_id)
    except PolicyVersion.DoesNotExist:
        raise NotFound from None
