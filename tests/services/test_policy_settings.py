"""The settings of a draft (policy text, drugs, indications, lists): each write is one
change that undo takes back; bad input and a published version are refused."""

from datetime import date

import pytest

from reviews.errors import PolicyVersionLocked
from reviews.models import Criterion, Indication, PolicyDrug, PolicyList, PolicyTestCase
from reviews.policy_documents import version_prefetched, version_problems
from reviews.services.policies import policy_version_clone
from reviews.services.policy_edits import policy_edit_last, policy_edit_undo
from reviews.services.policy_settings import (
    SettingsRefused,
    indication_add,
    indication_change,
    indication_delete,
    list_add,
    list_change,
    list_delete,
    policy_drugs_save,
    policy_text_save,
)
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db

RULE = {
    "phases": [
        {
            "name": "Loading",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"at": [0, 2], "unit": "week"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 6, "unit": "calendar_month", "start": 24, "start_unit": "week"},
        },
    ],
    "quantity_limit": {"amount": "1200", "unit": "mg", "per_days": 365},
}


@pytest.fixture
def draft(two_indications, policy_admin):
    """A draft of the two-indication policy (relapsing_ms, nmosd; criteria and test cases
    name both)."""
    return policy_version_clone(version=two_indications, actor=policy_admin)


def _fields(indication: Indication, **changes) -> dict:
    fields = {
        name: getattr(indication, name)
        for name in (
            "key",
            "name",
            "diagnosis_codes",
            "codes_source",
            "initial_approval_count",
            "initial_approval_unit",
            "extended_approval_count",
            "extended_approval_unit",
            "regimen",
        )
    }
    return {**fields, **changes}


def _new_indication(**changes) -> dict:
    return {
        "key": "hefh",
        "name": "Heterozygous familial hypercholesterolemia",
        "diagnosis_codes": ["E78.01"],
        "codes_source": "",
        "initial_approval_count": 90,
        "initial_approval_unit": "day",
        "extended_approval_count": None,
        "extended_approval_unit": "day",
        "regimen": None,
        **changes,
    }


def _brands(version) -> list[str]:
    return list(PolicyDrug.objects.filter(policy=version.policy_id).values_list("brand", flat=True))


def _snapshot(version) -> dict:
    from reviews.policy_documents import version_document_raw

    return version_document_raw(version_prefetched(version.pk))


# ---- policy text -----------------------------------------------------------------------------


def test_policy_text_saved_and_undone(draft, policy_admin):
    before = _snapshot(draft)
    policy_text_save(
        version=draft,
        actor=policy_admin,
        title="A new title",
        fields={
            "overview": "New overview.",
            "effective_date": date(2027, 1, 1),
            "monthly_means": "calendar_month",
            "remark_codes": ["M3M", " ", "M4M"],
            "path_initial_name": "Starting",
        },
    )
    draft.refresh_from_db()
    assert draft.policy.title == "A new title"
    assert draft.overview == "New overview."
    # Bare codes (the older form) are stored as codes without a meaning yet.
    assert draft.remark_codes == [{"code": "M3M", "meaning": ""}, {"code": "M4M", "meaning": ""}]
    assert draft.path_names["initial"] == "Starting"
    assert policy_edit_last(draft).summary == "Changed the policy text"
    policy_edit_undo(version=draft, actor=policy_admin)
    assert _snapshot(draft) == before


def test_policy_text_refuses_monthly_means_against_a_rule(draft, policy_admin):
    """The rule is every 6 calendar months: not 'monthly', so either reading fits; a rule of
    every 4 weeks does not fit calendar_month."""
    ms = draft.indications.get(key="relapsing_ms")
    rule = {
        "phases": [
            {
                "dose": {"amount": "300", "unit": "mg"},
                "route": "intravenous",
                "schedule": {"every": 4, "unit": "week"},
            }
        ]
    }
    indication_change(
        version=draft, actor=policy_admin, indication=ms, fields=_fields(ms, regimen=rule)
    )
    with pytest.raises(SettingsRefused) as refused:
        policy_text_save(
            version=draft,
            actor=policy_admin,
            title=draft.policy.title,
            fields={"monthly_means": "calendar_month"},
        )
    assert refused.value.problems[0][0] == "version.dosing.monthly_means"
    draft.refresh_from_db()
    assert draft.monthly_means == ""


def test_policy_text_refuses_an_empty_title_and_unknown_fields(draft, policy_admin):
    with pytest.raises(SettingsRefused) as refused:
        policy_text_save(version=draft, actor=policy_admin, title="  ", fields={})
    assert refused.value.problems == [("policy.title", "must not be empty")]
    with pytest.raises(SettingsRefused):
        policy_text_save(version=draft, actor=policy_admin, title="T", fields={"status": "x"})
    assert policy_edit_last(draft) is None


def test_published_version_refused(two_indications, policy_admin):
    with pytest.raises(PolicyVersionLocked):
        policy_text_save(version=two_indications, actor=policy_admin, title="X", fields={})
    ms = two_indications.indications.get(key="relapsing_ms")
    with pytest.raises(PolicyVersionLocked):
        indication_change(
            version=two_indications, actor=policy_admin, indication=ms, fields=_fields(ms)
        )
    with pytest.raises(PolicyVersionLocked):
        indication_add(version=two_indications, actor=policy_admin, fields=_new_indication())
    with pytest.raises(PolicyVersionLocked):
        list_add(
            version=two_indications, actor=policy_admin, key="x", title="X", items=[{"name": "a"}]
        )
    with pytest.raises(PolicyVersionLocked):
        policy_drugs_save(
            version=two_indications,
            actor=policy_admin,
            drugs=[{"brand": "B", "generic": "", "hcpcs_codes": [], "ndcs": []}],
        )


def test_case_staff_refused(draft, nurse):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        policy_text_save(version=draft, actor=nurse, title="X", fields={})


# ---- drugs -------------------------------------------------------------------------------------


def test_drugs_saved_and_undone(draft, policy_admin):
    before = _snapshot(draft)
    policy_drugs_save(
        version=draft,
        actor=policy_admin,
        drugs=[
            {"brand": "Infusab", "generic": "infusimab", "hcpcs_codes": ["J3590"], "ndcs": []},
            {"brand": "Other", "generic": "otherab", "hcpcs_codes": [], "ndcs": ["0078100768"]},
        ],
    )
    assert _brands(draft) == ["Infusab", "Other"]
    assert policy_edit_last(draft).summary == "Changed the drugs"
    policy_edit_undo(version=draft, actor=policy_admin)
    assert _snapshot(draft) == before


def test_drugs_refuse_bad_codes_and_a_name_twice(draft, policy_admin):
    with pytest.raises(SettingsRefused) as refused:
        policy_drugs_save(
            version=draft,
            actor=policy_admin,
            drugs=[
                {"brand": "Infusab", "generic": "x", "hcpcs_codes": ["Z99"], "ndcs": []},
                {"brand": "Infusab", "generic": "", "hcpcs_codes": [], "ndcs": []},
            ],
        )
    places = [place for place, _ in refused.value.problems]
    assert "[0].hcpcs_codes[0]" in places
    assert "[1]" in places
    assert _brands(draft) == ["Infusab"]
    with pytest.raises(SettingsRefused):
        policy_drugs_save(version=draft, actor=policy_admin, drugs=[])


def test_a_drug_cases_asked_for_stays(kesimpta, nurse, policy_admin):
    kesimpta_request(nurse)
    draft = policy_version_clone(version=kesimpta, actor=policy_admin)
    with pytest.raises(SettingsRefused) as refused:
        policy_drugs_save(
            version=draft,
            actor=policy_admin,
            drugs=[{"brand": "Else", "generic": "", "hcpcs_codes": [], "ndcs": []}],
        )
    assert "cases asked for it" in str(refused.value)
    assert _brands(draft) == ["Kesimpta"]


# ---- indications ---------------------------------------------------------------------------------


def test_indication_added_changed_deleted_and_undone(draft, policy_admin):
    before = _snapshot(draft)
    added = indication_add(version=draft, actor=policy_admin, fields=_new_indication(regimen=RULE))
    assert policy_edit_last(draft).summary == "Added indication hefh"
    assert added.position == 2
    assert added.regimen == RULE  # the engine's normal form
    indication_change(
        version=draft,
        actor=policy_admin,
        indication=added,
        fields=_fields(added, extended_approval_count=12, extended_approval_unit="calendar_month"),
    )
    assert draft.indications.get(key="hefh").extended_approval == {
        "count": 12,
        "unit": "calendar_month",
    }
    indication_delete(version=draft, actor=policy_admin, indication=added)
    assert policy_edit_last(draft).summary == "Deleted indication hefh"
    for _ in range(3):
        policy_edit_undo(version=draft, actor=policy_admin)
    assert _snapshot(draft) == before


def test_indication_rename_renames_criteria_and_test_cases(draft, policy_admin):
    ms = draft.indications.get(key="relapsing_ms")
    named = Criterion.objects.filter(version=draft, indication="relapsing_ms").count()
    cases = PolicyTestCase.objects.filter(version=draft, indication="relapsing_ms").count()
    assert named and cases
    indication_change(
        version=draft, actor=policy_admin, indication=ms, fields=_fields(ms, key="rms")
    )
    assert policy_edit_last(draft).summary == "Renamed indication relapsing_ms to rms"
    assert Criterion.objects.filter(version=draft, indication="rms").count() == named
    assert PolicyTestCase.objects.filter(version=draft, indication="rms").count() == cases
    assert not Criterion.objects.filter(version=draft, indication="relapsing_ms").exists()
    assert version_problems(version_prefetched(draft.pk)) == []
    policy_edit_undo(version=draft, actor=policy_admin)
    assert Criterion.objects.filter(version=draft, indication="relapsing_ms").count() == named


def test_indication_delete_refused_while_named(draft, policy_admin):
    ms = draft.indications.get(key="relapsing_ms")
    with pytest.raises(SettingsRefused) as refused:
        indication_delete(version=draft, actor=policy_admin, indication=ms)
    message = str(refused.value)
    assert "criterion MS" in message and "test case" in message
    assert draft.indications.filter(key="relapsing_ms").exists()
    assert policy_edit_last(draft) is None


@pytest.mark.parametrize(
    ("changes", "place", "words"),
    [
        ({"key": "Bad-Key"}, "key", "lower_snake_case"),
        ({"key": "nmosd"}, "key", "another indication has the key 'nmosd'"),
        ({"name": " "}, "name", "must not be empty"),
        ({"initial_approval_count": 0}, "initial_approval_count", "at least 1"),
        (
            {"regimen": {"phases": [{"dose": {"amount": "1", "unit": "mg"}, "route": ""}]}},
            "regimen.phases[0].",
            "",
        ),
        (
            {
                "regimen": {
                    "phases": [
                        {
                            "dose": {"amount": "1", "unit": "mg"},
                            "route": "iv",
                            "schedule": {"at": [0], "every": 2, "unit": "week"},
                        }
                    ]
                }
            },
            "regimen",
            "needs either at",
        ),
        (
            {
                "regimen": {
                    "phases": RULE["phases"],
                    "dose_range": {"min": "500", "max": "100", "unit": "mg"},
                }
            },
            "regimen",
            "min is more than its max",
        ),
    ],
)
def test_indication_bad_input_refused(draft, policy_admin, changes, place, words):
    ms = draft.indications.get(key="relapsing_ms")
    before = _snapshot(draft)
    with pytest.raises(SettingsRefused) as refused:
        indication_change(
            version=draft, actor=policy_admin, indication=ms, fields=_fields(ms, **changes)
        )
    assert any(p.startswith(place) and words in m for p, m in refused.value.problems), (
        refused.value.problems
    )
    assert _snapshot(draft) == before
    assert policy_edit_last(draft) is None


# ---- lists -------------------------------------------------------------------------------------


def test_list_added_changed_and_undone(statin_policy, policy_admin):
    draft = statin_policy
    before = _snapshot(draft)
    added = list_add(
        version=draft,
        actor=policy_admin,
        key="fibrates",
        title="Fibrates",
        items=[
            {"name": "Tricor", "generic": "fenofibrate", "synonyms": ["Trilipix", " "]},
            {"name": "Lopid", "generic": "gemfibrozil"},
        ],
    )
    assert policy_edit_last(draft).summary == "Added list fibrates"
    assert [i.synonyms for i in added.items.all()] == [["Trilipix"], []]
    list_change(
        version=draft,
        actor=policy_admin,
        policy_list=added,
        key="fibrates",
        title="Fibrates (any)",
        items=[{"name": "Lopid"}],
    )
    added.refresh_from_db()
    assert added.title == "Fibrates (any)"
    assert [i.name for i in added.items.all()] == ["Lopid"]
    list_delete(version=draft, actor=policy_admin, policy_list=added)
    for _ in range(3):
        policy_edit_undo(version=draft, actor=policy_admin)
    assert _snapshot(draft) == before


def test_list_rename_renames_check_params(statin_policy, policy_admin):
    draft = statin_policy
    statins = draft.lists.get(key="preferred_statins")
    list_change(
        version=draft,
        actor=policy_admin,
        policy_list=statins,
        key="statins",
        title=statins.title,
        items=[{"name": i.name, "generic": i.generic} for i in statins.items.all()],
    )
    assert policy_edit_last(draft).summary == "Renamed list preferred_statins to statins"
    leaf = Criterion.objects.get(version=draft, check_name="tried_and_failed_at_least")
    assert leaf.check_params["list"] == "statins"
    assert version_problems(version_prefetched(draft.pk)) == []


def test_list_delete_refused_while_a_check_names_it(statin_policy, policy_admin):
    statins = statin_policy.lists.get(key="preferred_statins")
    leaf = Criterion.objects.get(version=statin_policy, check_name="tried_and_failed_at_least")
    with pytest.raises(SettingsRefused) as refused:
        list_delete(version=statin_policy, actor=policy_admin, policy_list=statins)
    assert leaf.label in str(refused.value)
    assert PolicyList.objects.filter(pk=statins.pk).exists()


@pytest.mark.parametrize(
    ("key", "items", "place", "words"),
    [
        ("Bad Key", [{"name": "a"}], "key", "lower_snake_case"),
        ("preferred_statins", [{"name": "a"}], "key", "another list"),
        ("fibrates", [], "items", "at least one"),
        ("fibrates", [{"name": " ", "generic": "x"}], "items[0].name", "must not be empty"),
    ],
)
def test_list_bad_input_refused(statin_policy, policy_admin, key, items, place, words):
    before = _snapshot(statin_policy)
    with pytest.raises(SettingsRefused) as refused:
        list_add(version=statin_policy, actor=policy_admin, key=key, title="T", items=items)
    assert any(p == place and words in m for p, m in refused.value.problems), refused.value.problems
    assert _snapshot(statin_policy) == before
