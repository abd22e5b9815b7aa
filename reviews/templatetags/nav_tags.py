"""The navigation marks the page the user is on (aria-current), for screen readers and eyes."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, view_name: str) -> str:
    """The attributes of a navigation link: `class="nav-link"`, plus `active` and
    `aria-current="page"` when the request is for that view."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == view_name:
        return mark_safe('class="nav-link active" aria-current="page"')  # constant text
    return mark_safe('class="nav-link"')
