"""The client's address, for sign-in lockout and the access audit.

Behind a TLS proxy REMOTE_ADDR is the proxy's address. X-Forwarded-For is only believed as
far as our own proxies wrote it: each trusted proxy appends the address it saw, so with N
proxies the client is the N-th entry from the right. Anything further left came from the
client and may be forged. With no trusted proxy configured, the socket's address is used.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PRIORAUTH_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through all our proxies: the socket's address is the truth
    return forwarded[-proxies]
