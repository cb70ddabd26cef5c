"""Redis, when ``REDIS_URL`` is set: state every worker of ``make serve`` must see at once (login
rate-limit counters through Flask-Limiter's storage, the progress of background jobs). Without it
the app keeps that state in the database or in each process, as on a single-process install."""
from flask import current_app


def redis_client():
    """The app's Redis client, or None when REDIS_URL is not set."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("redis")
    if client is None:
        import redis

        client = current_app.extensions["redis"] = redis.Redis.from_url(
            url, socket_timeout=2, decode_responses=True)
    return client
