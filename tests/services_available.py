"""Whether the real services are configured and answering."""

from django.conf import settings
from django.db import connection


def postgres() -> bool:
    return connection.vendor == "postgresql"


def redis() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis as redis_client

    try:
        return bool(redis_client.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
    except redis_client.RedisError:
        return False
