"""System checks for what the app prints in the plan's name (`manage.py check`)."""

from django.conf import settings
from django.core import checks

from reviews.letter_notices import TAGLINES


@checks.register(checks.Tags.compatibility)
def letter_tagline_languages(app_configs=None, **kwargs):
    """Every tagline language named in settings must be one the letters carry."""
    unknown = [code for code in settings.LETTER_TAGLINE_LANGUAGES if code not in TAGLINES]
    if not unknown:
        return []
    return [
        checks.Error(
            f"LETTER_TAGLINE_LANGUAGES names {', '.join(unknown)}, which the letters have no "
            "tagline for.",
            hint=f"Use codes of reviews/letter_notices.py: {', '.join(TAGLINES)}.",
            id="letters.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def letter_plan_contact_is_real(app_configs=None, **kwargs):
    """In production, letters must not go out with the demo plan's fictional contact."""
    demo = [
        name
        for name, value in settings.LETTER_DEMO_DEFAULTS.items()
        if getattr(settings, name) == value and name != "LETTER_PLAN_TTY"
    ]
    if not demo:
        return []
    return [
        checks.Warning(
            f"Letters still print the demo plan's {', '.join(demo)}.",
            hint="Set them to the plan's own (README, Configuration) before letters are sent.",
            id="letters.W001",
        )
    ]
