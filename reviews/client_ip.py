"""Who is signing in from where, as sign-in lockout (django-axes) and the access audit see it.

The client's address:

Behind a TLS proxy REMOTE_ADDR is the proxy's address. X-Forwarded-For is only believed as
far as our own proxies wrote it: each trusted proxy appends the address it saw, so with N
proxies the client is the N-th entry from the right. Anything further left came from the
client and may be forged. With no trusted proxy configured, the socket's address is used.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address; None without a request (a sign-in from a script or a test)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PRIORAUTH_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through all our proxies: the socket's address is the truth
    return forwarded[-proxies]


# User.username's length. django-axes keeps the name in a 255-character column and fails (a
# 500 on PostgreSQL) on a longer one, which any sign-in form (ours, the admin's, the API's)
# could pass on.
USERNAME_MAX = 150


def signin_username(request, credentials=None) -> str:
    """The username a sign-in attempt names, as lockout counts it: at most USERNAME_MAX
    characters (no user has a longer one, so a longer name is still a failure)."""
    name = credentials.get("username") if credentials else request.POST.get("username")
    return str(name or "")[:USERNAME_MAX]
