"""Security headers on pages and files, CSRF on every form, and uploads that a browser
could execute refused."""

import re
import secrets
from pathlib import Path

import pytest
from django.urls import reverse

from reviews.csp import style_hashes
from reviews.models import Document
from reviews.services.documents import document_add_many
from tests.config.test_settings import _settings_value
from tests.factories import document_for, pdf_bytes, png_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_pages_carry_the_content_security_policy_and_the_other_headers(client, nurse):
    for path, who in [("/login/", None), ("/", nurse), ("/cases/", nurse)]:
        if who:
            client.force_login(who)
        response = client.get(path)
        assert response.status_code == 200
        csp = _directives(response["Content-Security-Policy"])
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_error_pages_carry_the_policy_too(client, nurse):
    client.force_login(nurse)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_no_template_has_inline_script_style_or_event_handler():
    """The policy would refuse them; the browser test (tests/e2e/test_csp.py) catches what
    a library renders, this catches our own templates before a browser is needed."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
    )
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "letters":
            continue  # a letter is a document of its own, with its own policy (reviews/csp.py)
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if inline.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_every_post_form_carries_a_csrf_token():
    form = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        for match in form.finditer(path.read_text()):
            if "{% csrf_token %}" not in match.group(1):
                missing.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)[:80]}")
    assert not missing, "\n".join(missing)


def test_a_post_without_the_csrf_token_is_refused(nurse, kesimpta):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(nurse)
    assert client.post(reverse("reviews:case-create"), {}).status_code == 403


# ---- the letter: its own stylesheet allowed by hash, nothing else ------------------------


def test_the_issued_letter_allows_only_its_own_stylesheet(client, physician, escalated):
    from reviews.models import Letter
    from reviews.services import physician_review

    physician_review.case_claim_physician(case=escalated, physician=physician)
    physician_review.case_approve_by_physician(case=escalated, physician=physician)
    letter = Letter.objects.get(determination__case=escalated)
    client.force_login(physician)
    response = client.get(reverse("reviews:letter-preview", args=[escalated.pk]))
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["style-src"] == style_hashes(letter.html) and len(csp["style-src"]) == 1
    assert csp["style-src"][0].startswith("'sha256-")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "script-src" not in csp  # default-src 'none' refuses every script


def test_the_decision_page_allows_the_previewed_letters_stylesheet_only(
    client, physician, escalated
):
    from reviews.services import physician_review

    physician_review.case_claim_physician(case=escalated, physician=physician)
    client.force_login(physician)
    plain = client.get(reverse("reviews:case-decision", args=[escalated.pk]))
    assert _directives(plain["Content-Security-Policy"])["style-src"] == ["'self'"]
    default = physician_review.default_approval(escalated)
    preview = client.post(
        reverse("reviews:case-decide", args=[escalated.pk, "approve"]),
        {
            "approve-approval_start": default["approval_start"].isoformat(),
            "approve-approval_end": default["approval_end"].isoformat(),
            "approve-authorized_doses": default["authorized_doses"],
            "preview": "1",
        },
    )
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "srcdoc=" in page
    style_src = _directives(preview["Content-Security-Policy"])["style-src"]
    assert style_src[0] == "'self'" and len(style_src) == 2
    assert style_src[1].startswith("'sha256-")
    assert "unsafe-inline" not in preview["Content-Security-Policy"]


# ---- uploaded files ------------------------------------------------------------------------


def test_a_file_is_served_with_its_sniffed_type_and_cannot_run(client, nurse, clear_case):
    document = document_for(clear_case, user=nurse, content=png_bytes(), name="scan.html")
    client.force_login(nurse)
    response = client.get(reverse("reviews:document-file", args=[clear_case.pk, document.pk]))
    assert response["Content-Type"] == "image/png"  # the name said HTML; the bytes say PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=")
    csp = _directives(response["Content-Security-Policy"])
    assert "sandbox" in csp and csp["default-src"] == ["'none'"]
    download = client.get(
        reverse("reviews:document-file", args=[clear_case.pk, document.pk]), {"download": "1"}
    )
    assert download["Content-Disposition"].startswith("attachment; filename=")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PDF_LOOKING_HTML = b"%PDF-1.4\n" + HTML  # a PDF header, then a page a browser would run


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("scan.svg", SVG, "image/svg+xml"),
        ("scan.png", SVG, "image/png"),  # an SVG disguised as a PNG
        ("note.html", HTML, "text/html"),
        ("note.pdf", HTML, "application/pdf"),  # HTML disguised as a PDF
        ("note.htm", b"\xef\xbb\xbf" + HTML, "text/html"),
        ("page.xhtml", b'<?xml version="1.0"?>' + SVG, "application/xhtml+xml"),
    ],
)
def test_uploads_a_browser_would_run_are_refused(nurse, clear_case, name, content, claimed):
    accepted, rejected = document_add_many(
        case=clear_case, actor=nurse, files=[upload(name, content, claimed)]
    )
    assert accepted == [] and len(rejected) == 1
    assert "only PDF, PNG, JPEG and TIFF" in rejected[0].reason
    assert not Document.objects.filter(case=clear_case).exists()


def test_a_pdf_with_html_after_its_header_is_served_only_as_a_pdf(client, nurse, clear_case):
    """Sniffing sees the PDF header and accepts it; the response can still only be a PDF."""
    accepted, rejected = document_add_many(
        case=clear_case, actor=nurse, files=[upload("odd.html", PDF_LOOKING_HTML, "text/html")]
    )
    # filetype sees the PDF header: accepted as a PDF (refusing it would also be safe, but
    # then this test must say so rather than pass without checking anything).
    assert not rejected and accepted[0].content_type == "application/pdf"
    client.force_login(nurse)
    response = client.get(reverse("reviews:document-file", args=[clear_case.pk, accepted[0].pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_stored_document_is_never_given_an_executable_type(nurse, clear_case):
    document_for(clear_case, user=nurse, content=pdf_bytes(["x"]))
    types = set(Document.objects.values_list("content_type", flat=True))
    assert types <= {"application/pdf", "image/png", "image/jpeg", "image/tiff"}


# ---- production settings (DEBUG off), in a subprocess --------------------------------------

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "pa.example.org",
}


def test_with_debug_off_cookies_are_secure_and_hsts_is_on():
    values = _settings_value(
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SESSION_COOKIE_HTTPONLY, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_PROXY_SSL_HEADER, settings.AXES_ENABLED",
        **PRODUCTION,
    )
    assert values == "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') True"


def test_with_debug_off_a_request_over_https_gets_hsts_and_secure_cookies():
    code = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'priorauth.settings');"
        "django.setup();"
        "from django.test import Client;"
        "from django.test.utils import setup_test_environment; setup_test_environment();"
        "from django.test import override_settings;"
        # No collectstatic here: plain static storage instead of the manifest one.
        "plain = {'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'},"
        " 'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}};"
        "c = Client(HTTP_HOST='pa.example.org', HTTP_X_FORWARDED_PROTO='https');"
        "r = override_settings(STORAGES=plain)(lambda: c.get('/login/'))();"
        "print(r.status_code); print(r['Strict-Transport-Security']);"
        "print(r.cookies['csrftoken']['secure']); print(r['Content-Security-Policy'])"
    )
    from tests.config.test_settings import _run

    result = _run(["-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    status, hsts, secure_cookie, csp = result.stdout.strip().splitlines()[-4:]
    assert status == "200"
    assert hsts == "max-age=31536000"
    assert secure_cookie == "True"
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
