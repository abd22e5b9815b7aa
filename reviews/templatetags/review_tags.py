from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    """{{ mapping|dictget:key }}: a dict lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def listget(sequence, index):
    """{{ list|listget:i }}: the i-th item, or None past the end."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return None


LABELS = {
    "met": "Met",
    "not_met": "Not met",
    "not_documented": "Not documented",
    "unknown": "Not decided",
}


@register.filter
def answer_label(value):
    """met / not_met / not_documented / unknown as people write them."""
    return LABELS.get(str(value), value)
