"""The determination letter of a case: its HTML as issued, and the rendered PDF.

Both go through the case selector, so anyone who may not see the case gets a 404.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from reviews.csp import letter_policy
from reviews.models import Letter
from reviews.selectors.letters import letter_get_for_user
from reviews.services import letters as letter_services
from reviews.views.files import private_file_response


@require_GET
@xframe_options_sameorigin
def letter_preview_view(request, case_id: int):
    letter = letter_get_for_user(user=request.user, case_id=case_id)
    response = HttpResponse(letter.html, content_type="text/html; charset=utf-8")
    # A standalone document with its own stylesheet and nothing else to load: its policy
    # allows that stylesheet by hash, no script, no other inline style.
    response["Content-Security-Policy"] = letter_policy(letter.html)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def letter_pdf_view(request, case_id: int):
    letter = letter_get_for_user(user=request.user, case_id=case_id)
    if letter.status != Letter.Status.RENDERED:
        # A 404 that says why: the PDF does not exist yet (or rendering failed).
        context = {"letter": letter, "case": letter.determination.case}
        return render(request, "reviews/letter_not_ready.html", context, status=404)
    response = private_file_response(
        letter.storage_name,
        filename=f"{letter.determination.case.reference}-letter.pdf",
        content_type="application/pdf",
        as_attachment=True,
        missing="The letter's file is missing from storage.",
    )
    letter_services.letter_record_download(letter=letter, actor=request.user)
    return response
