"""The roles and what each may do. One table; `roles_sync` makes the groups match it.

Only a physician reviewer may deny: policy 2020910 ("Edits and Denials"), URAC UM 12 and
NCQA UM 4. That is why `issue_denial` belongs to the physician role alone.
"""

NURSE = "Nurse reviewer"
PHYSICIAN = "Physician reviewer"
POLICY_ADMIN = "Policy admin"
AUDITOR = "Auditor"
CLAIMS_EXAMINER = "Claims examiner"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    NURSE: ["reviews.view_cases", "reviews.intake_case", "reviews.review_as_nurse"],
    PHYSICIAN: [
        "reviews.view_cases",
        "reviews.intake_case",
        "reviews.review_as_physician",
        "reviews.issue_denial",
    ],
    POLICY_ADMIN: [
        "reviews.manage_policies",
        *(
            f"reviews.{action}_{model}"
            for model in (
                "policy",
                "policydrug",
                "policyversion",
                "indication",
                "criterion",
                "policylist",
                "policylistitem",
                "policytestcase",
            )
            for action in ("add", "change", "delete", "view")
        ),
        # Deadline rules are edited, never deleted: cases point at the rule they came from.
        *(f"reviews.{action}_deadlinerule" for action in ("add", "change", "view")),
        # Claim adjustment code wording: kept current, never deleted (claim lines name them).
        *(f"reviews.{action}_adjustmentcode" for action in ("add", "change", "view")),
    ],
    AUDITOR: ["reviews.view_cases", "reviews.view_audit"],
    # Enters claim lines and resolves those pended for review; sees no case pages.
    CLAIMS_EXAMINER: ["reviews.examine_claims"],
}


def roles_sync(apps=None) -> None:
    """Create the role groups and give each exactly its permissions. Idempotent.

    Called from data migrations (with the migration's `apps`) and from seed_demo.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    # Permissions are normally created after migrate finishes; a data migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [
            permission
            for perm in perms
            # A migration early in the history runs before later models (and their
            # permissions) exist; the migration that adds them calls this again.
            if (
                permission := Permission.objects.filter(
                    content_type__app_label=perm.split(".")[0], codename=perm.split(".")[1]
                ).first()
            )
        ]
        group.permissions.set(wanted)
