"""List counts that do not dominate the page (FAB_NOTES hazard 9, PERF_FACTS).

FAB counts every list page with ``SELECT count(*) FROM (SELECT <every column> …)``. Here:
- the count selects ids only, and stops at ``LIST_COUNT_ESTIMATE_THRESHOLD`` + 1 rows: a filtered
  list under the threshold gets its exact count at the cost of a few index entries;
- over the threshold the count is an estimate, shown 「约 N 条」: for an unfiltered list of residents
  or households the sum of the per-community summaries of the account's subtree (app/stats.py;
  active rows, as of their last refresh), else PostgreSQL's planner estimate; SQLite, which has no
  estimate, counts the ids exactly (an index scan there).
"""
import json

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import CompileError

from ..models import CommunitySummary, Household, Resident
from ..scope import NOTHING, UNRESTRICTED, OrgScopeFilter, current_scope, org_ids_in_scope

# model -> its per-community summary column
SUMMARIES = {Resident: CommunitySummary.residents, Household: CommunitySummary.households}


class ListCount(int):
    """The number of rows of a list; ``estimated`` when it is an estimate (「约 N 条」)."""

    estimated = False


class EstimatedCount(ListCount):
    estimated = True


def count_ids(session, ids_query, model, filters) -> ListCount:
    """``ids_query``: the list's filtered query selecting ``model.id`` only."""
    threshold = current_app.config["LIST_COUNT_ESTIMATE_THRESHOLD"]
    ids = ids_query.order_by(None)
    bounded = session.scalar(select(func.count()).select_from(
        ids.limit(threshold + 1).subquery()))
    if bounded <= threshold:
        return ListCount(bounded)
    estimate = None
    if not user_filtered(filters):
        estimate = summary_estimate(session, model)
    if estimate is None and session.get_bind().dialect.name == "postgresql":
        estimate = planner_estimate(session, ids)
    if estimate is None:
        return ListCount(session.scalar(select(func.count()).select_from(ids.subquery())))
    return EstimatedCount(max(estimate, threshold + 1))


def user_filtered(filters) -> bool:
    """Has the list more conditions than the account's data scope?"""
    return any(not isinstance(f, OrgScopeFilter) for f in getattr(filters, "filters", []))


def summary_estimate(session, model) -> int | None:
    column = SUMMARIES.get(model)
    path = current_scope()
    if column is None or path is NOTHING:
        return None
    query = select(func.sum(column))
    if path != UNRESTRICTED:
        query = query.where(CommunitySummary.community_id.in_(org_ids_in_scope(path)))
    return session.scalar(query) or None


def planner_estimate(session, ids_query) -> int | None:
    try:
        statement = ids_query.statement.compile(session.get_bind(),
                                                compile_kwargs={"literal_binds": True})
    except CompileError:  # a value that cannot be rendered literally: count instead
        return None
    plan = session.scalar(text(f"EXPLAIN (FORMAT JSON) {statement}"))
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
