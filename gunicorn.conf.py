"""gunicorn settings for `make serve` (production). Every value can be overridden from the
environment; run `flask --app app setup` first (make serve does): permissions are synchronised
there, once per deploy, never by the workers (FAB_UPDATE_PERMS = False, FAB_NOTES hazard 21).

Sync workers, one request at a time each: FAB's views keep per-request filter state on shared
objects (FAB_NOTES hazard 12), so no threads inside a worker. Set REDIS_URL so the workers share
login rate limits and job progress.
"""
import multiprocessing
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("BIND") or (
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8080')}")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"
# Large exports and imports run as background jobs; a request still may take a while (xlsx).
timeout = int(os.environ.get("WEB_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Behind a reverse proxy, also set PROXY_FIX_HOPS (config.py) so client addresses are right.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
