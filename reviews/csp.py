"""Content-Security-Policy for the few responses that carry a stylesheet of their own.

The site's policy (settings.CONTENT_SECURITY_POLICY) allows no inline style. A letter is a
self-contained document with one <style> element (so the stored HTML and the PDF need
nothing else), so the responses that show a letter allow exactly that stylesheet by its
SHA-256 hash: any other inline style, injected or not, is still refused.
"""

import base64
import hashlib
import re

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def style_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-...') for each <style> element of `html`."""
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"
        for css in _STYLE.findall(html)
    ]


def allow_styles_of(response, html: str):
    """Add the hashes of `html`'s stylesheets to style-src of this response only.

    For a page that embeds the letter in an <iframe srcdoc>: a srcdoc document inherits
    the page's policy. Uses django-csp's per-response update, as its csp_update does.
    """
    hashes = style_hashes(html)
    if hashes:
        response._csp_update = {"style-src": hashes}
    return response


def letter_policy(html: str) -> str:
    """The whole policy for a letter served on its own: its stylesheet and nothing else."""
    styles = " ".join(style_hashes(html)) or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'self'"
    )
