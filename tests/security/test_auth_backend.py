"""The permissions backend reads in one query what Django's ModelBackend reads in two, and
answers the same: a user's own permissions and their roles' (groups')."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from reviews.auth_backends import RolePermissionsBackend

pytestmark = pytest.mark.django_db


def perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="reviews", codename=codename)


@pytest.fixture
def people(django_user_model):
    reviewers = Group.objects.create(name="Test reviewers")
    reviewers.permissions.add(perm("view_cases"), perm("review_as_nurse"))
    auditors = Group.objects.create(name="Test auditors")
    auditors.permissions.add(perm("view_cases"), perm("view_audit"))
    make = django_user_model.objects.create_user
    in_both = make("both")
    in_both.groups.add(reviewers, auditors)
    own_only = make("own")
    own_only.user_permissions.add(perm("examine_claims"))
    mixed = make("mixed")
    mixed.groups.add(reviewers)
    mixed.user_permissions.add(perm("manage_policies"), perm("view_cases"))
    return {
        "no role": make("nobody"),
        "two roles": in_both,
        "own permission only": own_only,
        "own and a role's": mixed,
        "inactive, with a role": make("gone", is_active=False),
        "superuser": make("root", is_superuser=True),
    }


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission cached on it


def test_the_same_permissions_as_djangos_backend(people):
    for who, user in people.items():
        ours = RolePermissionsBackend().get_all_permissions(fresh(user))
        django = ModelBackend().get_all_permissions(fresh(user))
        assert ours == django, who
    # The fixtures mean something: roles add up, own permissions count, inactive has none.
    mine = RolePermissionsBackend().get_all_permissions
    assert mine(fresh(people["two roles"])) == {
        "reviews.view_cases",
        "reviews.review_as_nurse",
        "reviews.view_audit",
    }
    assert "reviews.manage_policies" in mine(fresh(people["own and a role's"]))
    assert mine(fresh(people["inactive, with a role"])) == set()
    assert mine(fresh(people["no role"])) == set()


def test_one_query_per_request_however_many_checks(people, django_assert_num_queries):
    user = fresh(people["own and a role's"])
    with django_assert_num_queries(1):
        assert user.has_perm("reviews.review_as_nurse")
        assert user.has_perm("reviews.manage_policies")
        assert not user.has_perm("reviews.view_audit")


def test_a_role_taken_away_counts_on_the_next_request(people):
    user = fresh(people["two roles"])
    assert user.has_perm("reviews.view_audit")
    Group.objects.get(name="Test auditors").user_set.remove(user)
    assert not fresh(user).has_perm("reviews.view_audit")  # each request reads the user anew
