import pytest
from django.contrib.auth.models import Group

from reviews import permissions, roles


@pytest.mark.django_db
def test_migration_creates_the_four_role_groups_with_their_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions")}
    assert set(groups) >= {roles.NURSE, roles.PHYSICIAN, roles.POLICY_ADMIN, roles.AUDITOR}
    for role, perms in roles.ROLE_PERMISSIONS.items():
        codenames = {
            f"{p.content_type.app_label}.{p.codename}" for p in groups[role].permissions.all()
        }
        assert codenames == set(perms)


@pytest.mark.django_db
def test_only_a_physician_may_deny(nurse, physician, policy_admin, auditor, outsider):
    assert permissions.can_issue_denial(physician)
    for user in (nurse, policy_admin, auditor, outsider):
        assert not permissions.can_issue_denial(user)


@pytest.mark.django_db
def test_auditor_is_read_only(auditor):
    assert permissions.can_view_cases(auditor) and permissions.can_view_audit(auditor)
    assert not permissions.can_intake(auditor)
    assert not permissions.can_review_as_nurse(auditor)
    assert not permissions.can_review_as_physician(auditor)
    assert not permissions.can_manage_policies(auditor)


@pytest.mark.django_db
def test_an_inactive_user_can_do_nothing(nurse):
    nurse.is_active = False
    nurse.save()
    assert not permissions.can_review_as_nurse(nurse)


@pytest.mark.django_db
def test_roles_sync_is_idempotent():
    roles.roles_sync()
    roles.roles_sync()
    assert Group.objects.filter(name=roles.NURSE).count() == 1


@pytest.mark.django_db
def test_a_policy_admin_may_edit_indications_in_the_back_office(policy_admin):
    assert all(
        policy_admin.has_perm(f"reviews.{action}_indication")
        for action in ("add", "change", "delete", "view")
    )
