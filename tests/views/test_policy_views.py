from datetime import date

import pytest
from django.urls import reverse

from reviews.models import Criterion, PolicyVersion
from reviews.services import policies as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(kesimpta, policy_admin):
    version = services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    Criterion.objects.filter(version=version, label="1.A.ii").update(
        text="Patient is ≥ 21 years of age", check_params={"years": 21}
    )
    return version


# ---- policy pages ------------------------------------------------------------------------


def test_reviewers_read_the_whole_policy_version(client, nurse, kesimpta):
    client.force_login(nurse)
    page = client.get(reverse("reviews:policy-version-detail", args=[kesimpta.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    for label in [
        "PRE-1",
        "PRE-2",
        "1.A.i",
        "1.A.ii",
        "1.A.iii",
        "1.B.i",
        "1.B.ii.a",
        "1.B.ii.b",
        "1.B.iii",
        "1.B.iv",
    ]:
        assert f'<span class="criterion-label">{label}</span>' in body
    assert "Zeposia® (ozanimod capsules)" in body
    assert "15 doses, 300 mg" in body and "12 doses, 240 mg" in body
    assert "Remark Code M3M or M4M" in body


def test_policy_list_shows_versions_in_a_fixed_number_of_queries(
    client, physician, kesimpta, statin_policy, django_assert_num_queries
):
    client.force_login(physician)
    # session, user, permissions, groups (nav), policies, drugs, versions, session save (3)
    with django_assert_num_queries(10):
        page = client.get(reverse("reviews:policy-list"))
    assert page.status_code == 200
    assert "Kesimpta (ofatumumab)" in page.content.decode()


@pytest.mark.parametrize(
    "name,args", [("reviews:policy-list", []), ("reviews:policy-version-detail", ["v1"])]
)
def test_policy_pages_checklist(client, kesimpta, outsider, name, args):
    url = reverse(name, args=[kesimpta.pk if a == "v1" else a for a in args])
    assert client.get(url).status_code == 302  # anonymous: to login
    client.force_login(outsider)
    assert client.get(url).status_code == 404  # no role: nothing to see
    assert client.post(url).status_code == 405


def test_unknown_version_is_404(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("reviews:policy-version-detail", args=[999])).status_code == 404


# ---- compare -----------------------------------------------------------------------------


def test_compare_shows_the_changed_criterion_word_by_word(client, policy_admin, kesimpta, draft):
    client.force_login(policy_admin)
    url = reverse("reviews:policy-version-compare", args=[kesimpta.pk, draft.pk])
    body = client.get(url).content.decode()
    assert "<del>18</del>" in body and "<ins>21</ins>" in body
    assert "1.A.ii" in body
    assert "2020-09-17" in body and "2027-01-01" in body  # effective date changed
    assert "Zeposia" not in body  # unchanged rows hidden by default
    assert "Zeposia" in client.get(url + "?all=1").content.decode()


def test_compare_checklist(client, kesimpta, draft, nurse, outsider, policy_admin):
    url = reverse("reviews:policy-version-compare", args=[kesimpta.pk, draft.pk])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(nurse)
    assert client.get(url).status_code == 403
    client.force_login(policy_admin)
    assert client.post(url).status_code == 405
    assert client.get(url).status_code == 200


# ---- the admin ---------------------------------------------------------------------------


def _action(client, action, *versions):
    return client.post(
        reverse("admin:reviews_policyversion_changelist"),
        {"action": action, "_selected_action": [v.pk for v in versions]},
        follow=True,
    )


def test_only_policy_admins_reach_policy_administration(
    client, policy_admin, nurse, outsider, kesimpta
):
    url = reverse("admin:reviews_policyversion_changelist")
    client.force_login(policy_admin)
    assert client.get(url).status_code == 200
    outsider.is_staff = True  # staff flag alone is not enough
    outsider.save()
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(nurse)
    refused = client.get(url)  # not staff: the app's 403, saying who may use it
    assert refused.status_code == 403
    assert "Policy administration is for policy admins only." in refused.content.decode()


def test_a_published_version_is_read_only_in_the_admin(client, policy_admin, kesimpta):
    client.force_login(policy_admin)
    url = reverse("admin:reviews_policyversion_change", args=[kesimpta.pk])
    page = client.get(url)
    assert "published versions never change" in page.content.decode()
    assert 'name="overview"' not in page.content.decode()
    response = client.post(url, {"overview": "Changed"})
    assert response.status_code == 403
    kesimpta.refresh_from_db()
    assert kesimpta.overview.startswith("Kesimpta is")
    delete = client.post(
        reverse("admin:reviews_policyversion_delete", args=[kesimpta.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert PolicyVersion.objects.filter(pk=kesimpta.pk).exists()


def test_clone_check_publish_through_admin_actions(client, policy_admin, kesimpta):
    client.force_login(policy_admin)
    page = _action(client, "clone_versions", kesimpta)
    assert "cloned to draft version 2" in page.content.decode()
    draft = PolicyVersion.objects.get(number=2)
    page = _action(client, "publish_versions", draft)  # same effective date as today? no clash
    assert draft.effective_date != kesimpta.effective_date
    assert "is published and can no longer change" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == policy_admin


def test_publish_action_reports_failing_test_cases(client, policy_admin, kesimpta, draft):
    client.force_login(policy_admin)
    page = _action(client, "publish_versions", draft).content.decode()
    assert "was not published" in page
    assert "18th birthday on the request date" in page
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_check_action_and_compare_action(client, policy_admin, kesimpta, draft):
    client.force_login(policy_admin)
    page = _action(client, "check_versions", kesimpta).content.decode()
    assert "valid; all 23 test cases pass" in page
    response = client.post(
        reverse("admin:reviews_policyversion_changelist"),
        {"action": "compare_versions", "_selected_action": [kesimpta.pk, draft.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "reviews:policy-version-compare", args=[kesimpta.pk, draft.pk]
    )
    page = _action(client, "compare_versions", kesimpta).content.decode()
    assert "Select exactly two versions" in page


# ---- editing a draft's criteria tree in the admin -----------------------------------------


def _draft_form(client, draft):
    from tests.admin_forms import admin_change_post_data

    url = reverse("admin:reviews_policyversion_change", args=[draft.pk])
    return url, admin_change_post_data(client.get(url))


def test_admin_edits_a_draft_criterion(client, policy_admin, draft):
    from tests.admin_forms import inline_prefix

    client.force_login(policy_admin)
    url, data = _draft_form(client, draft)
    row = inline_prefix(data, "criteria", "label", "1.A.ii")
    data[f"{row}-text"] = "Patient is ≥ 19 years of age"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert draft.criteria.get(label="1.A.ii").text == "Patient is ≥ 19 years of age"


def test_admin_makes_a_group_of_two_a_conditional_and_negates_a_check(client, policy_admin, draft):
    from tests.admin_forms import inline_prefix

    client.force_login(policy_admin)
    url, data = _draft_form(client, draft)
    data[f"{inline_prefix(data, 'criteria', 'label', '1.B.ii')}-kind"] = "if"
    data[f"{inline_prefix(data, 'criteria', 'label', '1.A.ii')}-check_negate"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert draft.criteria.get(label="1.B.ii").kind == "if"
    assert draft.criteria.get(label="1.A.ii").check_negate


def test_admin_reorders_and_nests_criteria(client, policy_admin, draft):
    from tests.admin_forms import inline_prefix

    client.force_login(policy_admin)
    url, data = _draft_form(client, draft)
    one_a = draft.criteria.get(label="1.A")
    # Move 1.A.iii first among its siblings, and nest PRE-2 under 1.A.
    data[f"{inline_prefix(data, 'criteria', 'label', '1.A.iii')}-position"] = "0"
    data[f"{inline_prefix(data, 'criteria', 'label', '1.A.i')}-position"] = "5"
    data[f"{inline_prefix(data, 'criteria', 'label', 'PRE-2')}-parent"] = str(one_a.pk)
    assert client.post(url, data).status_code == 302
    children = list(one_a.children.order_by("position").values_list("label", flat=True))
    assert children[0] == "1.A.iii" and "PRE-2" in children


@pytest.mark.parametrize(
    "change,message",
    [
        ("childless_group", "“1.B.ii” is a group and needs at least one criterion under it."),
        ("duplicate_label", "Please correct the duplicate data for label."),
        ("k_too_big", "k must be between 1 and its 2 criteria"),
        ("leaf_with_children", "“1.B.iii” is a question (leaf) but has 2 criteria under it."),
        ("two_roots", "The tree needs exactly one root"),
        ("delete_parent_only", "“1.B.ii” is being removed but “1.B.ii.a” is still under it"),
        ("bad_check", "“1.A.i”: Unknown check &#x27;age_at_leest&#x27;"),
        ("if_of_three", "“1.A” is an “if … then” and needs exactly two criteria under it"),
    ],
)
def test_admin_refuses_an_invalid_tree_with_a_clear_message(
    client, policy_admin, draft, change, message
):
    from tests.admin_forms import inline_prefix

    client.force_login(policy_admin)
    url, data = _draft_form(client, draft)

    def row(label):
        return inline_prefix(data, "criteria", "label", label)

    ids = {c.label: c.pk for c in draft.criteria.all()}
    if change == "childless_group":
        for label in ("1.B.ii.a", "1.B.ii.b"):
            data[f"{row(label)}-parent"] = str(ids["1.B"])
    elif change == "duplicate_label":
        data[f"{row('1.B.i')}-label"] = "1.A.i"
    elif change == "k_too_big":
        data[f"{row('1.B.ii')}-kind"] = "k_of_n"
        data[f"{row('1.B.ii')}-k"] = "3"
    elif change == "leaf_with_children":
        for label in ("1.B.ii.a", "1.B.ii.b"):
            data[f"{row(label)}-parent"] = str(ids["1.B.iii"])
    elif change == "two_roots":
        data.pop(f"{row('PRE-1')}-parent", None)
    elif change == "delete_parent_only":
        data[f"{row('1.B.ii')}-DELETE"] = "on"
    elif change == "bad_check":
        data[f"{row('1.A.i')}-check_name"] = "age_at_leest"
    elif change == "if_of_three":
        data[f"{row('1.A')}-kind"] = "if"
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert draft.criteria.count() == 16
    assert draft.criteria.get(label="1.B.ii").kind == "any"


# ---- a policy's drugs and a draft's empty codes in the admin ---------------------------------


def _policy_form(client, policy):
    from tests.admin_forms import admin_change_post_data

    url = reverse("admin:reviews_policy_change", args=[policy.pk])
    return url, admin_change_post_data(client.get(url))


def test_admin_adds_a_second_drug_without_a_code_and_tidies_its_ndc(client, policy_admin, kesimpta):
    client.force_login(policy_admin)
    url, data = _policy_form(client, kesimpta.policy)
    assert data["drugs-0-brand"] == "Kesimpta"
    data.update(
        {
            "drugs-TOTAL_FORMS": "2",
            "drugs-1-position": "1",
            "drugs-1-brand": "Quellitra",
            "drugs-1-generic": "quellimab",
            "drugs-1-hcpcs_codes": "[]",
            "drugs-1-ndcs": '["12345-6789-01"]',
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    added = kesimpta.policy.drugs.get(brand="Quellitra")
    assert (added.hcpcs_codes, added.ndcs) == ([], ["12345678901"])


def test_admin_refuses_a_bad_hcpcs_code_with_a_message(client, policy_admin, kesimpta):
    client.force_login(policy_admin)
    url, data = _policy_form(client, kesimpta.policy)
    data["drugs-0-hcpcs_codes"] = '["J349"]'
    response = client.post(url, data)
    assert response.status_code == 200
    assert "letter A-V and four digits, e.g. J3490: J349" in response.content.decode()
    assert kesimpta.policy.drugs.get().hcpcs_codes == ["J3490"]


def test_admin_saves_a_draft_with_no_remark_codes(client, policy_admin, draft):
    client.force_login(policy_admin)
    url, data = _draft_form(client, draft)
    data["remark_codes"] = "[]"
    data["path_initial_name"] = "First course"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.remark_codes == [] and draft.path_names["initial"] == "First course"
