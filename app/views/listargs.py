"""Clean the list URL parameters FAB parses with bare int() and getattr() (FAB_NOTES hazard 11):
a bad page, size or sort column shows a normal page instead of an error; page size is capped."""
import re

from flask import current_app, request
from werkzeug.datastructures import ImmutableMultiDict

_PARAM = re.compile(r"^(page|psize|_oc|_od)_(\w+)$")
MAX_PAGE = 100_000  # pages past the data are empty; past this the offset overflows the database


def _clean(kind: str, value: str, view, max_size: int):
    if kind in ("page", "psize"):
        if not value.isdigit():
            return None
        number = int(value)
        return str(min(max(number, 1), max_size)) if kind == "psize" else str(min(number, MAX_PAGE))
    if kind == "_od":
        return value if value in ("asc", "desc") else None
    allowed = getattr(view, "order_columns", None) or []
    return value if value in allowed else None


def clean_list_args(views_by_name: dict) -> None:
    if not request.args:
        return
    max_size = current_app.config.get("MAX_PAGE_SIZE", 100)
    cleaned = []
    for key, value in request.args.items(multi=True):
        match = _PARAM.match(key)
        if match:
            value = _clean(match.group(1), value, views_by_name.get(match.group(2)), max_size)
            if value is None:
                continue
        cleaned.append((key, value))
    request.args = ImmutableMultiDict(cleaned)


def install(app, appbuilder) -> None:
    views = {type(v).__name__: v for v in appbuilder.baseviews}
    app.before_request(lambda: clean_list_args(views))
