"""Reads of determination letters, scoped like the case they belong to."""

from reviews.errors import NotFound
from reviews.models import Letter
from reviews.selectors.cases import case_get_for_user


def letter_get_for_user(*, user, case_id: int) -> Letter:
    """The letter of the case's determination; 404 if the user may not see the case or
    the case has no letter yet."""
    case = case_get_for_user(user=user, case_id=case_id)
    letter = (
        Letter.objects.select_related("determination__case")
        .filter(determination__case=case)
        .first()
    )
    if letter is None:
        raise NotFound("This case has no letter yet.")
    return letter
