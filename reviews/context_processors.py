from reviews import permissions


def roles(request) -> dict:
    """Role flags for navigation. Pages still check access themselves."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "cases": permissions.can_view_cases(user),
            "nurse": permissions.can_review_as_nurse(user),
            "physician": permissions.can_review_as_physician(user),
            "policies": permissions.can_manage_policies(user),
            "audit": permissions.can_view_audit(user),
            "claims": permissions.can_examine_claims(user),
            "role_names": ", ".join(sorted(g.name for g in user.groups.all())) or "No role",
        }
    }
