"""The settings tabs of the policy editor: each page opens for the policy admin, a good POST
saves one change, a bad one shows its errors at the fields (400) and saves nothing."""

import pytest
from django import forms
from django.urls import reverse

from reviews.models import Criterion, PolicyDrug
from reviews.services.policies import policy_version_clone
from reviews.services.policy_edits import policy_edit_last

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(two_indications, policy_admin):
    return policy_version_clone(version=two_indications, actor=policy_admin)


@pytest.fixture
def admin_client(client, policy_admin):
    client.force_login(policy_admin)
    return client


def _data(*parts) -> dict:
    """What the browser would send back for the forms and formsets as rendered."""
    data: dict = {}
    for part in parts:
        if isinstance(part, forms.BaseFormSet):
            for bound in part.management_form:
                data[bound.html_name] = bound.value()
            subforms = part.forms
        else:
            subforms = [part]
        for form in subforms:
            for bound in form:
                value = bound.value()
                if isinstance(bound.field, forms.BooleanField):
                    if value:
                        data[bound.html_name] = "on"
                    continue
                if value is None:
                    value = ""
                data[bound.html_name] = bound.field.prepare_value(value)
    return data


def test_every_page_opens(admin_client, draft):
    ms = draft.indications.get(key="relapsing_ms")
    pages = [
        reverse("reviews:policy-edit-details", args=[draft.pk]),
        reverse("reviews:policy-edit-drugs", args=[draft.pk]),
        reverse("reviews:policy-edit-indications", args=[draft.pk]),
        reverse("reviews:policy-edit-indication-add", args=[draft.pk]),
        reverse("reviews:policy-edit-indication", args=[draft.pk, ms.pk]),
        reverse("reviews:policy-edit-lists", args=[draft.pk]),
        reverse("reviews:policy-edit-list-add", args=[draft.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(pages[2]).content.decode()
    assert "Relapsing forms of multiple sclerosis" in page
    assert "Loading: 300 mg intravenous at weeks 0 and 2 (initial only)" in page


def test_policy_text_saved(admin_client, draft):
    url = reverse("reviews:policy-edit-details", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["codes"], page.context["units"])
    data.update({"title": "Renamed", "overview": "A new overview.", "remark-0-code": "M3M"})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.policy.title, draft.overview, draft.remark_codes) == (
        "Renamed",
        "A new overview.",
        [{"code": "M3M", "meaning": ""}],
    )
    assert policy_edit_last(draft).summary == "Changed the policy text"


def test_claims_data_saved_from_the_details_page(admin_client, draft):
    """Remark codes with their meanings, which applies when, group codes, a billing unit
    and the waste rule: every field of the claims data has its input (no JSON box)."""
    url = reverse("reviews:policy-edit-details", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["codes"], page.context["units"])
    code = draft.policy.drugs.get().hcpcs_codes[0]
    data.update(
        {
            "remark-0-code": "R1",
            "remark-0-meaning": "Pended: authorization on file.",
            "remark-1-code": "R2",
            "remark-1-meaning": "Pended: none on file.",
            "remark_code_with_authorization": "R1",
            "remark_code_without_authorization": "R2",
            "group_code_participating": "CO",
            "group_code_not_participating": "PI",
            "unit-0-hcpcs": code.lower(),
            "unit-0-amount": "150",
            "unit-0-unit": "mg",
            "waste_applies": "on",
            "waste_single_dose": "on",
            "waste_jz_required": "on",
            "waste_jw_allowance_units": "1",
            "waste_source": "The plan's waste rule.",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["problems"]
    draft.refresh_from_db()
    assert draft.remark_codes == [
        {"code": "R1", "meaning": "Pended: authorization on file."},
        {"code": "R2", "meaning": "Pended: none on file."},
    ]
    assert (draft.remark_code_with_authorization, draft.group_code_not_participating) == (
        "R1",
        "PI",
    )
    assert draft.billing_units == [{"hcpcs": code, "amount": "150", "unit": "mg"}]
    assert (draft.waste_applies, draft.waste_jz_required, draft.waste_jw_allowance_units) == (
        True,
        True,
        1,
    )
    page = admin_client.get(url).content.decode()
    assert "Pended: none on file." in page and 'value="150"' in page


def test_claims_data_refused_at_its_fields(admin_client, draft):
    url = reverse("reviews:policy-edit-details", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["codes"], page.context["units"])
    data.update(
        {
            "remark-0-code": "R1",
            "remark_code_with_authorization": "R9",
            "unit-0-hcpcs": "J0001",
            "unit-0-amount": "",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 400
    units = response.context["units"]
    assert "Give the code, the amount and its unit, or none." in units.forms[0].non_field_errors()
    data["unit-0-hcpcs"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "not one of the version's remark codes" in " ".join(
        response.context["form"].errors["remark_code_with_authorization"]
    )
    assert policy_edit_last(draft) is None


def test_policy_text_bad_post(admin_client, draft):
    url = reverse("reviews:policy-edit-details", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["codes"], page.context["units"])
    data.update({"title": "", "effective_date": "31/31/2026"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "title" in form.errors and "effective_date" in form.errors
    assert policy_edit_last(draft) is None


def test_drugs_saved_and_bad_codes_named(admin_client, draft):
    url = reverse("reviews:policy-edit-drugs", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["formset"])
    data.update({"drug-1-brand": "Second", "drug-1-ndcs": "0078-1007-68, 12345"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    errors = response.context["formset"].forms[1].errors
    assert "Not an NDC: 12345" in errors["ndcs"][0]
    data["drug-1-ndcs"] = "0078-1007-68"
    data["drug-1-hcpcs_codes"] = "j3590 J3490"
    assert admin_client.post(url, data).status_code == 302
    second = PolicyDrug.objects.get(policy=draft.policy_id, brand="Second")
    assert (second.ndcs, second.hcpcs_codes) == (["0078100768"], ["J3590", "J3490"])
    # Removed with its checkbox; "Save and go on" then opens the next tab.
    page = admin_client.get(url)
    data = _data(page.context["formset"])
    data.update({"drug-1-DELETE": "on", "go_on": "1"})
    response = admin_client.post(url, data)
    assert response["Location"] == reverse("reviews:policy-edit-indications", args=[draft.pk])
    assert not PolicyDrug.objects.filter(policy=draft.policy_id, brand="Second").exists()


def test_drugs_same_brand_twice_named_at_the_row(admin_client, draft):
    url = reverse("reviews:policy-edit-drugs", args=[draft.pk])
    data = _data(admin_client.get(url).context["formset"])
    data["drug-1-brand"] = "infusab"
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "already names drug 1" in str(response.context["formset"].forms[1].errors)


def test_indication_edited_with_its_phases(admin_client, draft):
    ms = draft.indications.get(key="relapsing_ms")
    url = reverse("reviews:policy-edit-indication", args=[draft.pk, ms.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["phases"])
    assert data["phase-0-at"] == "0, 2"
    data.update({"key": "rms", "phase-1-amount": "600", "phase-0-amount": "600"})
    data.update({"range_min": "300", "range_max": "600"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    ms.refresh_from_db()
    assert ms.key == "rms"
    assert [p["dose"]["amount"] for p in ms.regimen["phases"]] == ["600", "600"]
    assert ms.regimen["dose_range"] == {"min": "300", "max": "600", "unit": "mg"}
    assert Criterion.objects.filter(version=draft, indication="rms").exists()
    assert policy_edit_last(draft).summary == "Renamed indication relapsing_ms to rms"


def test_indication_bad_phase_named_at_its_field(admin_client, draft):
    ms = draft.indications.get(key="relapsing_ms")
    url = reverse("reviews:policy-edit-indication", args=[draft.pk, ms.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["phases"])
    data.update({"phase-1-route": "", "phase-0-every": "2"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    rows = response.context["phases"].forms
    assert rows[1].errors["route"] == ["Must not be empty"]
    assert policy_edit_last(draft) is None
    data.update({"phase-1-route": "intravenous"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["phases"].forms[0].errors["at"] == [
        "Needs either at (a series of offsets) or every (a repeating schedule), one of them."
    ]


def test_indication_without_phases_has_no_rule_and_bad_codes_refused(admin_client, draft):
    url = reverse("reviews:policy-edit-indication-add", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["phases"])
    data.update(
        {
            "key": "hefh",
            "name": "HeFH",
            "diagnosis_codes": "E78.01\nnot-a-code",
            "initial_approval_count": "90",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "not-a-code" in response.context["form"].errors["diagnosis_codes"][0]
    data["diagnosis_codes"] = "e78.01\nE78.00"
    assert admin_client.post(url, data).status_code == 302
    added = draft.indications.get(key="hefh")
    assert (added.regimen, added.diagnosis_codes, added.extended_approval) == (
        None,
        ["E78.01", "E78.00"],
        None,
    )
    assert policy_edit_last(draft).summary == "Added indication hefh"


def test_indication_delete_refused_then_done(admin_client, draft, policy_admin):
    ms = draft.indications.get(key="relapsing_ms")
    url = reverse("reviews:policy-edit-indication-delete", args=[draft.pk, ms.pk])
    response = admin_client.post(url, follow=True)
    assert "was not deleted" in response.content.decode()
    assert draft.indications.filter(pk=ms.pk).exists()
    from reviews.services.policy_settings import indication_add

    spare = indication_add(
        version=draft,
        actor=policy_admin,
        fields={
            "key": "spare",
            "name": "Spare",
            "diagnosis_codes": [],
            "codes_source": "",
            "initial_approval_count": 1,
            "initial_approval_unit": "day",
            "extended_approval_count": None,
            "extended_approval_unit": "day",
            "regimen": None,
        },
    )
    url = reverse("reviews:policy-edit-indication-delete", args=[draft.pk, spare.pk])
    assert admin_client.post(url).status_code == 302
    assert not draft.indications.filter(pk=spare.pk).exists()


def test_list_added_renamed_and_bad_item(admin_client, statin_policy):
    draft = statin_policy
    statins = draft.lists.get(key="preferred_statins")
    url = reverse("reviews:policy-edit-list", args=[draft.pk, statins.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["items"])
    data.update({"key": "statins", "item-0-synonyms": "Lipitor 10, atorva"})
    assert admin_client.post(url, data).status_code == 302
    statins.refresh_from_db()
    assert statins.key == "statins"
    assert statins.items.first().synonyms == ["Lipitor 10", "atorva"]
    leaf = Criterion.objects.get(version=draft, check_name="tried_and_failed_at_least")
    assert leaf.check_params["list"] == "statins"
    # An item with a generic but no name, and a bad key.
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["items"])
    n = int(data["item-TOTAL_FORMS"]) - 1
    data.update({"key": "Statins!", f"item-{n}-generic": "pitavastatin"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "key" in response.context["form"].errors
    assert "name" in response.context["items"].forms[n].errors
    statins.refresh_from_db()
    assert statins.key == "statins"


def test_list_add_and_delete(admin_client, statin_policy):
    draft = statin_policy
    url = reverse("reviews:policy-edit-list-add", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["items"])
    data.update({"key": "fibrates", "title": "Fibrates"})
    response = admin_client.post(url, data)
    assert response.status_code == 400  # no item
    assert "at least one" in response.content.decode()
    data["item-0-name"] = "Tricor"
    assert admin_client.post(url, data).status_code == 302
    fibrates = draft.lists.get(key="fibrates")
    delete = reverse("reviews:policy-edit-list-delete", args=[draft.pk, fibrates.pk])
    assert admin_client.post(delete).status_code == 302
    assert not draft.lists.filter(key="fibrates").exists()
    statins = draft.lists.get(key="preferred_statins")
    delete = reverse("reviews:policy-edit-list-delete", args=[draft.pk, statins.pk])
    response = admin_client.post(delete, follow=True)
    assert "was not deleted" in response.content.decode()


def test_list_items_pasted_as_lines_follow_the_rows(admin_client, statin_policy):
    draft = statin_policy
    url = reverse("reviews:policy-edit-list-add", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["items"])
    data.update(
        {
            "key": "fibrates",
            "title": "Fibrates",
            "item-0-name": "Tricor",
            "lines": "• Lopid (gemfibrozil)\n• Fibricor; fenofibric acid tablets",
        }
    )
    assert admin_client.post(url, data).status_code == 302
    items = draft.lists.get(key="fibrates").items.order_by("position")
    assert [(i.name, i.generic, i.synonyms) for i in items] == [
        ("Tricor", "", []),
        ("Lopid", "gemfibrozil", []),
        ("Fibricor", "", ["fenofibric acid tablets"]),
    ]
    # A line that cannot be read is refused with its number, and nothing is added.
    data.update({"key": "more", "title": "More", "lines": "Lopid (gemfibrozil"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "Line 1" in response.content.decode()
    assert not draft.lists.filter(key="more").exists()


def test_published_version_shown_read_only_and_refused(admin_client, two_indications):
    url = reverse("reviews:policy-edit-details", args=[two_indications.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.content.decode()
    assert admin_client.post(url, {}).status_code == 409


def test_indication_phases_written_in_words(admin_client, draft):
    """The dosing typed as the policy reads it: each line one phase after the rows; a line
    that does not read is refused at the field with its number, and nothing is saved."""
    url = reverse("reviews:policy-edit-indication-add", args=[draft.pk])
    page = admin_client.get(url)
    form = page.context["form"]
    assert form.initial["initial_approval_unit"] == "calendar_month"
    data = _data(form, page.context["phases"])
    data.update(
        {
            "key": "",  # made from the name
            "name": "Worded",
            "initial_approval_count": "6",
            "extended_approval_count": "12",
            "phases_words": "Loading: 150 mg subcutaneous at weeks 0, 1 and 2 (initial only)\n"
            "Maintenance: 150 mg subcutaneous every month from week 4",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["phases_words"] == [
        "Line 2 ('Maintenance: 150 mg subcutaneous every month from week 4'): \"month\" is "
        'ambiguous: write "every 4 weeks" or "every calendar month", whichever the policy '
        "means."
    ]
    assert not draft.indications.filter(key="worded").exists()
    data["phases_words"] = data["phases_words"].replace("every month", "every 4 weeks")
    response = admin_client.post(url, data)
    assert response["Location"].startswith(
        reverse("reviews:policy-edit-indications", args=[draft.pk])
    )
    added = draft.indications.get(key="worded")
    assert (added.initial_approval_unit, added.extended_approval_unit) == (
        "calendar_month",
        "calendar_month",
    )
    assert added.regimen == {
        "phases": [
            {
                "name": "Loading",
                "dose": {"amount": "150", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {"at": [0, 1, 2], "unit": "week"},
                "initial_only": True,
            },
            {
                "name": "Maintenance",
                "dose": {"amount": "150", "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {"every": 4, "unit": "week", "start": 4, "start_unit": "week"},
            },
        ]
    }
    # Edited again: the rule shows as rows, and the words box is empty.
    page = admin_client.get(reverse("reviews:policy-edit-indication", args=[draft.pk, added.pk]))
    assert page.context["form"]["phases_words"].value() in (None, "")
    assert page.context["phases"].forms[1].initial["every"] == 4


def test_a_blank_key_is_made_from_the_name_or_title(admin_client, draft):
    url = reverse("reviews:policy-edit-list-add", args=[draft.pk])
    page = admin_client.get(url)
    data = _data(page.context["form"], page.context["items"])
    data.update({"key": "", "title": "Prior biologic agents (2nd line)", "lines": "Samplex"})
    # "Add the list, then another" opens a new list's page.
    response = admin_client.post(url, {**data, "add_another": "1"})
    assert response["Location"] == url
    assert draft.lists.get(key="prior_biologic_agents_2nd_line").items.count() == 1
    # Taken: said at the key, nothing saved twice.
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["key"]
    # Nothing to make it from.
    data.update({"title": "— · —"})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["key"] == ["Give a key, or a name it can be made from."]


def test_key_from_names():
    from reviews.forms.policy_edit_settings import key_from

    assert key_from("Alpha disease", 60) == "alpha_disease"
    assert key_from("  Dermatologist or rheumatologist ", 60) == "dermatologist_or_rheumatologist"
    assert key_from("2nd-line agents", 60) == "k_2nd_line_agents"
    assert key_from("Ünïcode — names", 60) == "unicode_names"
    assert key_from("abc def", 5) == "abc_d"
    assert key_from("abcd efg", 5) == "abcd"
    assert key_from("!!!", 60) == ""
