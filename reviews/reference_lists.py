"""The reference lists (policies/reference/*.yaml), read once per process.

They are part of the code's release, not the database: a change ships with a deploy, and the
policies that name them are checked against them at publish. The engine gets them as data.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reviews.engine.references import ReferenceError, ReferenceList, parse_reference

REFERENCE_DIR = Path(settings.BASE_DIR) / "policies" / "reference"


@cache
def reference_lists() -> dict[str, ReferenceList]:
    """Every reference list by name. A broken file stops the app rather than being skipped:
    a check that silently lost its list would call more medications unclassified."""
    return load_reference_dir(REFERENCE_DIR)


def load_reference_dir(directory: Path) -> dict[str, ReferenceList]:
    found: dict[str, ReferenceList] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            reference = parse_reference(path.read_text(encoding="utf-8"))
        except ReferenceError as error:
            raise ImproperlyConfigured(f"{path}: {error}") from error
        if reference.name != path.stem:
            raise ImproperlyConfigured(
                f"{path}: name {reference.name!r} must match the file name {path.stem!r}"
            )
        found[reference.name] = reference
    return found
