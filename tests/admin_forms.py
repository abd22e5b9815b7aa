"""Build the POST a browser would send from a rendered admin change form, so tests can
change one value and submit the rest as they were."""

from typing import Any


def _put(data: dict[str, Any], form) -> None:
    for name in form.fields:
        bound = form[name]
        value = bound.value()  # already prepared for the widget (a pk, JSON text, ...)
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[bound.html_name] = value if isinstance(value, list) else str(value)


def admin_change_post_data(response) -> dict[str, Any]:
    data: dict[str, Any] = {}
    _put(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _put(data, formset.management_form)
        for form in formset.forms:
            _put(data, form)
    return data


def inline_prefix(data: dict[str, Any], prefix: str, field: str, value: str) -> str | None:
    """The form prefix (e.g. "criteria-3") whose `field` has `value`."""
    for key, current in data.items():
        if key.startswith(prefix + "-") and key.endswith("-" + field) and current == value:
            return key[: -len(field) - 1]
    return None
