from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from reviews.engine import document
from reviews.engine.tree import Truth, evaluate
from reviews.errors import PolicyInvalid, PolicyVersionLocked
from reviews.models import Criterion, Policy, PolicyVersion
from reviews.policy_documents import version_quantities, version_tree
from reviews.selectors.policies import policy_drug_find, policy_version_in_force
from reviews.services import policies as services
from tests.policy_fixtures import KESIMPTA_FILE, STATIN_FILE, TWO_INDICATIONS_FILE


def export(number: str, *args: str) -> str:
    out = StringIO()
    call_command("export_policy", number, *args, stdout=out)
    return out.getvalue()


# ---- load and export -------------------------------------------------------------------


@pytest.mark.django_db
def test_load_then_export_gives_the_same_document_byte_for_byte():
    call_command("load_policy", str(KESIMPTA_FILE), stdout=StringIO())
    assert export("2020910") == KESIMPTA_FILE.read_text(encoding="utf-8")
    assert export("2020910", "--version", "1") == KESIMPTA_FILE.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_two_indications_round_trip_through_the_database():
    call_command("load_policy", str(TWO_INDICATIONS_FILE), stdout=StringIO())
    assert export("9000002") == TWO_INDICATIONS_FILE.read_text(encoding="utf-8")
    version = PolicyVersion.objects.get(policy__number="9000002")
    assert [
        (i.key, i.initial_approval_count, i.initial_approval_unit)
        for i in version.indications.all()
    ] == [
        ("relapsing_ms", 6, "calendar_month"),
        ("nmosd", 52, "week"),
    ]
    assert Criterion.objects.get(version=version, label="NM").indication == "nmosd"
    assert version.test_cases.get(name__startswith="NMOSD, initial: the").indication == "nmosd"


@pytest.mark.django_db
def test_load_is_idempotent():
    out = StringIO()
    call_command("load_policy", str(KESIMPTA_FILE), stdout=out)
    call_command("load_policy", str(KESIMPTA_FILE), stdout=out)
    assert "created policy 2020910 version 1 (published)" in out.getvalue()
    assert "unchanged policy 2020910 version 1 (published)" in out.getvalue()
    assert PolicyVersion.objects.count() == 1
    assert Criterion.objects.count() == 16


@pytest.mark.django_db
def test_a_bad_file_reports_every_problem_with_its_line_and_changes_nothing(tmp_path):
    text = KESIMPTA_FILE.read_text(encoding="utf-8")
    text = text.replace("          count: 365", "          count: -1", 1)
    text = text.replace("        kind: leaf\n", "        kind: leef\n", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_policy", str(bad), stdout=StringIO())
    message = str(error.value)
    assert "Nothing was loaded" in message
    assert "version.indications[0].approval.initial.count: must be at least 1, not -1" in message
    assert "version.criteria.children[0].kind: must be one of" in message
    assert message.count("line ") >= 2
    assert not Policy.objects.exists()


@pytest.mark.django_db
def test_a_missing_or_non_utf8_file_gets_a_clear_message(tmp_path):
    binary = tmp_path / "policy.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("load_policy", str(binary), stdout=StringIO())
    with pytest.raises(CommandError, match="cannot read it"):
        call_command("load_policy", str(tmp_path / "nope.yaml"), stdout=StringIO())


@pytest.mark.django_db
def test_export_of_an_unknown_policy_or_version_is_a_clear_error(kesimpta):
    with pytest.raises(CommandError, match="No policy 2020910 version 9"):
        export("2020910", "--version", "9")
    with pytest.raises(CommandError, match="No policy 123"):
        export("123")


@pytest.mark.django_db
def test_loading_a_changed_published_version_is_refused_and_changes_nothing(kesimpta):
    doc = document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))
    doc["version"]["overview"] = "Something else."
    with pytest.raises(PolicyVersionLocked, match="published versions never change"):
        services.policy_load(doc=doc)
    kesimpta.refresh_from_db()
    assert kesimpta.overview.startswith("Kesimpta is a CD20-directed")


# ---- published versions never change -----------------------------------------------------


@pytest.mark.django_db
def test_every_kesimpta_test_case_passes_through_the_database(kesimpta):
    assert kesimpta.test_cases.count() >= 12
    assert services.policy_version_check(version=kesimpta) == []


@pytest.mark.django_db
def test_a_published_version_refuses_change_in_the_service(kesimpta, policy_admin):
    with pytest.raises(PolicyVersionLocked, match="Clone it to a new draft"):
        services.assert_draft(kesimpta)
    with pytest.raises(PolicyVersionLocked):
        services.policy_version_publish(version=kesimpta, actor=policy_admin)


@pytest.mark.django_db
def test_clone_makes_a_draft_with_the_same_content(kesimpta, policy_admin):
    clone = services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    assert (clone.number, clone.status, clone.cloned_from) == (2, "draft", kesimpta)
    assert clone.created_by == policy_admin
    original = export("2020910", "--version", "1")
    copied = export("2020910", "--version", "2")
    assert (
        copied.replace(
            "number: 2\n  status: draft\n  effective_date: 2027-01-01",
            "number: 1\n  status: published\n  effective_date: 2020-09-17",
        )
        == original
    )


@pytest.mark.django_db
def test_publish_runs_the_test_cases_and_refuses_when_one_fails(kesimpta, policy_admin):
    clone = services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    # Make 1.B.ii an all-of group: "continuation: symptom response only" must now fail.
    clone.criteria.filter(label="1.B.ii").update(kind="all")
    with pytest.raises(PolicyInvalid) as error:
        services.policy_version_publish(version=clone, actor=policy_admin)
    assert any("symptom response only" in p for p in error.value.problems)
    clone.refresh_from_db()
    assert clone.status == "draft"


@pytest.mark.django_db
def test_publish_refuses_a_reference_list_that_does_not_exist(kesimpta, policy_admin):
    clone = services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    pre2 = clone.criteria.get(label="PRE-2")
    pre2.check_params = {**pre2.check_params, "reference": "ms-dmts-typo"}
    pre2.save(update_fields=["check_params"])
    problems = services.policy_version_check(version=clone)
    assert problems == [
        "version.criteria.children[1].check.params.reference: Check no_concurrent_agents: "
        "parameter 'reference' names no known reference list: 'ms-dmts-typo' "
        "(known: ms-disease-modifying-therapies)."
    ]
    with pytest.raises(PolicyInvalid):
        services.policy_version_publish(version=clone, actor=policy_admin)


@pytest.mark.django_db
def test_publish_refuses_a_group_without_children(kesimpta, policy_admin):
    clone = services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    clone.criteria.filter(label__in=["1.B.ii.a", "1.B.ii.b"]).delete()
    problems = services.policy_version_check(version=clone)
    assert any("1.B.ii" in p or "children[2].children[1].children[2]" in p for p in problems)
    with pytest.raises(PolicyInvalid):
        services.policy_version_publish(version=clone, actor=policy_admin)


@pytest.mark.django_db
def test_publishing_two_versions_with_one_effective_date_is_refused(kesimpta, policy_admin):
    clone = services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=kesimpta.effective_date
    )
    with pytest.raises(PolicyInvalid) as error:
        services.policy_version_publish(version=clone, actor=policy_admin)
    assert "already published with effective date Sep 17, 2020" in error.value.problems[0]


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_allows_one_published_version_per_effective_date(kesimpta):
    clone = PolicyVersion.objects.get(pk=kesimpta.pk)
    clone.pk, clone.number, clone.status = None, 2, "published"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


@pytest.mark.django_db
def test_only_policy_admins_change_policies(kesimpta, nurse, physician, auditor):
    for user in (nurse, physician, auditor):
        with pytest.raises(PermissionDenied):
            services.policy_version_clone(version=kesimpta, actor=user)
        with pytest.raises(PermissionDenied):
            services.policy_version_retire(version=kesimpta, actor=user)
    assert PolicyVersion.objects.count() == 1


@pytest.mark.django_db
def test_retire_takes_a_version_out_of_force(kesimpta, policy_admin):
    services.policy_version_retire(version=kesimpta, actor=policy_admin)
    assert policy_version_in_force(policy=kesimpta.policy, on=date(2026, 11, 28)) is None
    with pytest.raises(PolicyVersionLocked, match="Only a published version"):
        services.policy_version_retire(version=kesimpta, actor=policy_admin)


# ---- which version is in force -----------------------------------------------------------


@pytest.mark.django_db
def test_a_case_date_pins_the_version_in_force_that_day(kesimpta, policy_admin):
    v2 = services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    services.policy_version_publish(version=v2, actor=policy_admin)
    policy = kesimpta.policy
    assert policy_version_in_force(policy=policy, on=date(2020, 9, 16)) is None
    assert policy_version_in_force(policy=policy, on=date(2020, 9, 17)) == kesimpta
    assert policy_version_in_force(policy=policy, on=date(2026, 12, 31)) == kesimpta
    assert policy_version_in_force(policy=policy, on=date(2027, 1, 1)) == v2


@pytest.mark.django_db
def test_a_draft_is_never_in_force(kesimpta, policy_admin):
    services.policy_version_clone(
        version=kesimpta, actor=policy_admin, effective_date=date(2027, 1, 1)
    )
    assert policy_version_in_force(policy=kesimpta.policy, on=date(2027, 6, 1)) == kesimpta


@pytest.mark.django_db
def test_policy_is_found_by_drug_name_or_a_code_that_only_it_lists(kesimpta):
    assert policy_drug_find(drug="Kesimpta")[0] == kesimpta.policy
    assert policy_drug_find(drug="  OFATUMUMAB ")[0] == kesimpta.policy
    assert policy_drug_find(drug="Kesimpta 20 mg pen")[0] == kesimpta.policy
    assert policy_drug_find(hcpcs_code="j3490")[0] == kesimpta.policy
    assert policy_drug_find(drug="Ocrevus", hcpcs_code="J3490")[0] is None
    assert policy_drug_find()[0] is None


# ---- dosing and the engine through the database -------------------------------------------


@pytest.mark.django_db
def test_authorized_quantity_follows_the_dosing_rule(kesimpta):
    (quantities,) = version_quantities(kesimpta)
    assert quantities["indication"].key == "relapsing_ms"
    assert (quantities["initial"].doses, str(quantities["initial"].amount)) == (15, "300")
    assert (quantities["extended"].doses, str(quantities["extended"].amount)) == (12, "240")
    assert quantities["initial"].unit == "mg"
    assert quantities["initial"].days == quantities["extended"].days == 365


@pytest.mark.django_db
def test_the_tree_from_the_database_evaluates_like_the_file(kesimpta):
    root = version_tree(kesimpta)
    answers = {"PRE-1": "met", "PRE-2": "met", "1.A.i": "met", "1.A.ii": "met", "1.A.iii": "met"}
    result = evaluate(root, answers, path="initial")
    assert result.result == Truth.MET and result.path == "initial"
    assert "1.B.i" not in result.node_results


@pytest.mark.django_db
def test_a_second_policy_of_another_shape_loads_checks_and_publishes(statin_policy, policy_admin):
    assert statin_policy.status == "draft"
    (indication,) = statin_policy.indications.all()
    assert (indication.initial_approval_count, indication.initial_approval_unit) == (180, "day")
    assert indication.diagnosis_codes == ["E78.0"]
    kinds = set(statin_policy.criteria.values_list("kind", flat=True))
    assert "k_of_n" in kinds
    checks = set(statin_policy.criteria.exclude(check_name="").values_list("check_name", flat=True))
    assert {"tried_and_failed_at_least", "lab_value", "diagnosis_code_in"} <= checks
    assert services.policy_version_check(version=statin_policy) == []
    services.policy_version_publish(version=statin_policy, actor=policy_admin)
    assert export("9000001") == STATIN_FILE.read_text(encoding="utf-8").replace(
        "status: draft", "status: published"
    )


@pytest.mark.django_db
def test_a_published_document_whose_test_cases_fail_is_not_loaded():
    doc = document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))
    doc["version"]["test_cases"][0]["expect"]["result"] = "not_met"
    with pytest.raises(PolicyInvalid):
        services.policy_load(doc=doc)
    assert not PolicyVersion.objects.exists()


@pytest.mark.django_db
def test_reloading_a_draft_replaces_its_content(statin_policy):
    doc = document.parse(STATIN_FILE.read_text(encoding="utf-8"))
    doc["version"]["overview"] = "Revised overview."
    version, outcome = services.policy_load(doc=doc)
    assert (version.pk, outcome, version.overview) == (
        statin_policy.pk,
        "updated",
        "Revised overview.",
    )
    assert version.criteria.count() == statin_policy.criteria.count()
