"""Import of residents with their households from .xlsx and .csv files.

One pipeline serves the web (upload → preview → confirm), background jobs and the command line:
``check_file`` reads and validates (writes nothing); ``import_plan`` writes a validated plan in one
transaction — every row or none (the default), or only the rows without errors — and records an
ImportLog whatever the outcome. The modules: fields (columns from the declarations), validate (rules,
bulk look-ups, the plan), write (Core executemany), sheets (template, error sheet), store (uploads).
"""
from dataclasses import asdict, dataclass

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import ImportLog, Organisation
from ..tabular import read_sheet
from .validate import Counts, Plan, plan_import
from .write import ConcurrentChange, refresh_statistics, write_plan

PREVIEW_ERRORS = 500  # errors listed on a page; the error sheet has them all


@dataclass
class Outcome:
    status: str  # imported | rejected | failed (ImportLog.status)
    message: str
    counts: Counts
    log_id: int


def check_file(data: bytes, file_name: str, community: Organisation, progress=None) -> Plan:
    """Read and validate a file for an import into ``community``; raises FileProblem."""
    sheet = read_sheet(data, file_name, current_app.config["IMPORT_MAX_BYTES"])
    return plan_import(sheet, community, progress=progress)


def error_list(plan: Plan, limit: int = PREVIEW_ERRORS) -> list[tuple]:
    """(row, field, reason) for the first ``limit`` errors."""
    found = [(row.no, label, reason) for row in plan.error_rows for label, reason in row.errors]
    return found[:limit]


def import_plan(plan: Plan, *, file_name: str, valid_only: bool, source: str) -> Outcome:
    """Write ``plan`` (unless its errors forbid it) and record the import. Always states counts."""
    counts = plan.counts
    user_id = getattr(getattr(g, "user", None), "id", None)
    written = False
    if counts.errors and not valid_only:
        status, head = "rejected", (
            f"未导入任何数据：有 {counts.errors} 行错误，默认“全部导入或全部不导入”。"
            "请按错误表修改后重新上传，或选择“只导入无误的行”")
    elif counts.errors == counts.rows:
        status, head = "rejected", "未导入任何数据：没有无误的行"
    else:
        try:
            write_plan(plan, user_id)
            status, head, written = "imported", "导入完成", True
        except (SQLAlchemyError, ConcurrentChange) as exc:
            db.session.rollback()
            status, head = "failed", _failure(exc)
    log = ImportLog(user_id=user_id, community_id=plan.community.id, file_name=file_name[:200],
                    source=source, mode="valid" if valid_only else "all", status=status,
                    rows=counts.rows, errors=counts.errors, unchanged=counts.unchanged,
                    created=counts.new if written else 0,
                    updated=counts.updated if written else 0,
                    households_created=counts.households_new if written else 0,
                    households_updated=counts.households_updated if written else 0)
    log.message = f"{head}。{'' if written else '校验结果：'}{counts.summary()}"
    db.session.add(log)
    db.session.commit()
    if written:
        refresh_statistics(plan.writes)
    return Outcome(status, log.message, counts, log.id)


def _failure(exc: Exception) -> str:
    from ..views.interface import database_message

    if isinstance(exc, ConcurrentChange):
        return "导入失败，没有写入任何数据：导入期间有记录被他人修改，请重新上传"
    current_app.logger.exception("import failed")
    return "导入失败，没有写入任何数据：" + database_message(exc).removeprefix("保存失败：")


def outcome_dict(outcome: Outcome, plan: Plan) -> dict:
    return {**asdict(outcome), "errors": error_list(plan)}
