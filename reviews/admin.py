"""Policy administration: where policy admins edit drafts, check, publish, clone and compare.

A published or retired version is read-only here (and in the services): cases are pinned to
it. Status changes only through the actions below, which call the policy services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from reviews import permissions
from reviews.engine import checks
from reviews.engine.tree import Check
from reviews.errors import PolicyInvalid, ReviewError
from reviews.models import (
    Criterion,
    Indication,
    Policy,
    PolicyDrug,
    PolicyList,
    PolicyListItem,
    PolicyTestCase,
    PolicyVersion,
)
from reviews.reference_lists import reference_lists
from reviews.services import policies as policy_services

LOCKED_MESSAGE = (
    "This version is {status}: published versions never change, because cases are pinned "
    "to them. Use the action “Clone to a new draft” to make changes."
)


class PolicyAdminOnly:
    """Only policy admins reach policy administration, whatever other staff flags they have."""

    def has_module_permission(self, request):
        return permissions.can_manage_policies(request.user) and super().has_module_permission(
            request
        )

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_policies(request.user) and super().has_view_permission(
            request, obj
        )


def _draft(obj: PolicyVersion | PolicyList | None) -> bool:
    """Whether rows under obj (a version, or a list of one) may change: drafts only."""
    if isinstance(obj, PolicyList):
        obj = obj.version
    return obj is None or obj.is_draft


class DraftOnlyInline(PolicyAdminOnly):
    """Inline rows of a version can change only while the version is a draft."""

    def has_add_permission(self, request, obj=None):
        return _draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _draft(obj) and super().has_delete_permission(request, obj)


class CriterionFormSet(forms.BaseInlineFormSet):
    """Checks the whole tree as it will be saved: one root, groups with children, k within
    range, leaves without children, a parent never deleted before its children, valid checks."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        deleted = {
            f.instance.pk for f in self.forms if f.cleaned_data.get("DELETE") and f.instance.pk
        }
        rows = [f.cleaned_data for f in kept]
        problems = _tree_problems(rows, deleted, self.instance)
        if problems:
            raise ValidationError(problems)


def _tree_problems(rows: list[dict], deleted: set[int], version: PolicyVersion) -> list[str]:
    problems = []
    labels = [row["label"] for row in rows]
    for label in sorted({lbl for lbl in labels if labels.count(lbl) > 1}):
        problems.append(f"The label “{label}” is used more than once; labels must be unique.")
    roots = [row["label"] for row in rows if row.get("parent") is None]
    if len(roots) != 1:
        problems.append(
            "The tree needs exactly one root (a criterion with no parent); found "
            f"{len(roots)}: {', '.join(roots) or 'none'}."
        )
    children_of: dict[str, int] = {}
    for row in rows:
        parent = row.get("parent")
        if parent is None:
            continue
        if parent.pk in deleted:
            problems.append(
                f"“{parent.label}” is being removed but “{row['label']}” is still "
                "under it: move or remove its children first."
            )
        children_of[parent.label] = children_of.get(parent.label, 0) + 1
    lists = (
        {
            lst.key: {"title": lst.title, "items": [{"name": i.name} for i in lst.items.all()]}
            for lst in version.lists.prefetch_related("items")
        }
        if version.pk
        else {}
    )
    for row in rows:
        label, kind, count = row["label"], row["kind"], children_of.get(row["label"], 0)
        if kind == Criterion.Kind.LEAF and count:
            problems.append(f"“{label}” is a question (leaf) but has {count} criteria under it.")
        if kind == Criterion.Kind.IF and count != 2:
            problems.append(
                f"“{label}” is an “if … then” and needs exactly two criteria under it: the "
                f"condition, then what applies when it is met (it has {count})."
            )
        elif kind != Criterion.Kind.LEAF and not count:
            problems.append(f"“{label}” is a group and needs at least one criterion under it.")
        if kind == Criterion.Kind.K_OF_N:
            k = row.get("k")
            if not k or k > count:
                problems.append(f"“{label}”: k must be between 1 and its {count} criteria.")
        elif row.get("k") is not None:
            problems.append(f"“{label}”: k applies only to an “at least k of” group.")
        if row.get("check_name"):
            if kind != Criterion.Kind.LEAF:
                problems.append(f"“{label}”: only a question (leaf) can have a check.")
            params = row.get("check_params") or {}
            if not isinstance(params, dict):
                problems.append(
                    f'“{label}”: check parameters must be a JSON object, e.g. {{"years": 18}}.'
                )
                continue
            check = Check(row["check_name"], params, bool(row.get("check_negate")))
            problems.extend(
                f"“{label}”: {p}" for p in checks.check_problems(check, lists, reference_lists())
            )
    return problems


class CriterionInline(DraftOnlyInline, admin.StackedInline):
    model = Criterion
    formset = CriterionFormSet
    extra = 0
    fk_name = "version"
    fields = [
        ("label", "parent", "position"),
        ("kind", "k", "path", "indication"),
        "title",
        "text",
        "note",
        "explanation",
        "plain_language",
        ("check_name", "check_params", "check_negate"),
        "evidence_required",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # A parent is a criterion of the same version, chosen by its label.
            version_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Criterion.objects.filter(version_id=version_id).order_by("label")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PolicyListInline(DraftOnlyInline, admin.TabularInline):
    model = PolicyList
    extra = 0
    fields = ["key", "title", "position", "item_count"]
    readonly_fields = ["item_count"]
    show_change_link = True

    @admin.display(description="items")
    def item_count(self, obj):
        return obj.items.count() if obj.pk else 0


class IndicationInline(DraftOnlyInline, admin.StackedInline):
    """A version's indications: each with its diagnosis codes, approval periods and dosing."""

    model = Indication
    extra = 0
    fields = [
        ("key", "name", "position"),
        "diagnosis_codes",
        "codes_source",
        ("initial_approval_count", "initial_approval_unit"),
        ("extended_approval_count", "extended_approval_unit"),
        "regimen",
    ]


class PolicyTestCaseInline(DraftOnlyInline, admin.StackedInline):
    model = PolicyTestCase
    extra = 0
    fields = [
        ("name", "request_type", "indication", "position"),
        "answers",
        "facts",
        "expect",
    ]


class PolicyVersionForm(forms.ModelForm):
    """The admin builds the Meta (model, fields) from PolicyVersionAdmin."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Someone may have published it while this form was open.
            status = (
                PolicyVersion.objects.filter(pk=self.instance.pk)
                .values_list("status", flat=True)
                .first()
            )
            if status != PolicyVersion.Status.DRAFT:
                raise ValidationError(LOCKED_MESSAGE.format(status=status))
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(PolicyAdminOnly, admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ["__str__", "status", "effective_date", "published_at", "compare"]
    list_filter = ["status", "policy"]
    list_select_related = ["policy"]
    ordering = ["policy__number", "-number"]
    inlines = [IndicationInline, CriterionInline, PolicyListInline, PolicyTestCaseInline]
    readonly_fields = [
        "status",
        "cloned_from",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
    ]
    actions = [
        "check_versions",
        "publish_versions",
        "clone_versions",
        "retire_versions",
        "compare_versions",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("policy", "number", "status"),
                    "effective_date",
                    ("initial_effective_date", "annual_review_date", "last_revised_date"),
                    ("path_initial_name", "path_continuation_name"),
                    ("cloned_from", "created_at", "created_by"),
                    ("published_at", "published_by"),
                ]
            },
        ),
        (
            "Policy text",
            {"fields": ["prior_approval_notice", "overview", "statement", "criteria_intro"]},
        ),
        (
            "Dosing",
            {
                "fields": [
                    "dosing_condition",
                    "dosing_text",
                    "dosing_benefit",
                    ("monthly_means", "monthly_means_note"),
                ]
            },
        ),
        (
            "Approval and therapy",
            {
                "fields": [
                    "approval_text",
                    "duration_of_therapy",
                    "labs_diagnostics",
                    "waste_management",
                    "documentation_requirements",
                ]
            },
        ),
        (
            "Edits and denials",
            {
                "fields": [
                    "edits_heading",
                    "prior_approval_text",
                    "physician_review_text",
                    "claim_edits_text",
                    "remark_codes",
                    ("remark_code_with_authorization", "remark_code_without_authorization"),
                    "liability_text",
                    ("group_code_participating", "group_code_not_participating"),
                ]
            },
        ),
        (
            "Claims",
            {
                "fields": [
                    "billing_units",
                    ("waste_applies", "waste_single_dose", "waste_jz_required"),
                    "waste_jw_allowance_units",
                    "waste_source",
                ]
            },
        ),
    ]

    def has_change_permission(self, request, obj=None):
        return _draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _draft(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        if version is not None and not version.is_draft and request.method == "GET":
            messages.info(
                request, LOCKED_MESSAGE.format(status=version.get_status_display().lower())
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        problems = policy_services.policy_version_check(version=form.instance)
        if problems:
            messages.warning(
                request,
                "Saved as a draft. Before it can be published: " + " · ".join(problems[:10]),
            )

    @admin.display(description="compare")
    def compare(self, obj):
        previous = obj.cloned_from_id
        if not previous:
            return "—"
        url = reverse("reviews:policy-version-compare", args=[previous, obj.pk])
        return format_html('<a href="{}">with v{}</a>', url, obj.cloned_from.number)

    def _each(self, request, queryset, service, done):
        for version in queryset.select_related("policy"):
            try:
                result = service(version=version, actor=request.user)
            except PolicyInvalid as error:
                self.message_user(
                    request, f"{version}: {error} " + " · ".join(error.problems), messages.ERROR
                )
            except (ReviewError, PermissionDenied) as error:
                self.message_user(request, f"{version}: {error}", messages.ERROR)
            else:
                self.message_user(request, done(version, result), messages.SUCCESS)

    @admin.action(description="Check (validate and run the test cases)")
    def check_versions(self, request, queryset):
        for version in queryset.select_related("policy"):
            problems = policy_services.policy_version_check(version=version)
            if problems:
                self.message_user(request, f"{version}: " + " · ".join(problems), messages.ERROR)
            else:
                count = version.test_cases.count()
                self.message_user(
                    request, f"{version}: valid; all {count} test cases pass.", messages.SUCCESS
                )

    @admin.action(description="Publish (after checking)")
    def publish_versions(self, request, queryset):
        self._each(
            request,
            queryset,
            policy_services.policy_version_publish,
            lambda v, r: f"{r} is published and can no longer change.",
        )

    @admin.action(description="Clone to a new draft")
    def clone_versions(self, request, queryset):
        self._each(
            request,
            queryset,
            policy_services.policy_version_clone,
            lambda v, r: f"{v} cloned to draft version {r.number}.",
        )

    @admin.action(description="Retire (no new cases are pinned to it)")
    def retire_versions(self, request, queryset):
        self._each(
            request,
            queryset,
            policy_services.policy_version_retire,
            lambda v, r: f"{r} is retired.",
        )

    @admin.action(description="Compare the two selected versions")
    def compare_versions(self, request, queryset):
        versions = list(queryset.order_by("number").values_list("pk", flat=True))
        if len(versions) != 2:
            self.message_user(request, "Select exactly two versions to compare.", messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("reviews:policy-version-compare", args=versions))


class PolicyListItemInline(DraftOnlyInline, admin.TabularInline):
    model = PolicyListItem
    extra = 0
    fields = ["position", "name", "generic", "as_written", "synonyms"]


@admin.register(PolicyList)
class PolicyListAdmin(PolicyAdminOnly, admin.ModelAdmin):
    list_display = ["title", "key", "version"]
    list_select_related = ["version__policy"]
    inlines = [PolicyListItemInline]

    def has_change_permission(self, request, obj=None):
        return _draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _draft(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PolicyDrugInline(PolicyAdminOnly, admin.TabularInline):
    """The drugs a policy covers (PolicyDrug.clean checks and tidies the codes)."""

    model = PolicyDrug
    extra = 0
    min_num = 1
    fields = ["position", "brand", "generic", "hcpcs_codes", "ndcs"]


@admin.register(Policy)
class PolicyAdmin(PolicyAdminOnly, admin.ModelAdmin):
    list_display = ["number", "title", "drug_names", "codes", "version_count"]
    search_fields = ["number", "title", "drugs__brand", "drugs__generic"]
    inlines = [PolicyDrugInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_versions=Count("versions"))
            .prefetch_related("drugs")
        )

    @admin.display(description="drugs")
    def drug_names(self, obj):
        return "; ".join(str(drug) for drug in obj.drugs.all())

    @admin.display(description="HCPCS")
    def codes(self, obj):
        return ", ".join(dict.fromkeys(c for drug in obj.drugs.all() for c in drug.hcpcs_codes))

    @admin.display(description="versions", ordering="n_versions")
    def version_count(self, obj):
        return obj.n_versions


from reviews import admin_cases  # noqa: E402, F401  (deadline rules and other case data)
