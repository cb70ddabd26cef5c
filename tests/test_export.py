"""Excel export of the lists through real HTTP, every file read back with openpyxl: rows and order
as the list shows them (filters, sort, scope, all pages), Chinese headers, code names, real dates,
masking per role, formula-like text kept as text, presets, log, background job, sheet continuation,
CSRF and permission refusals."""
import datetime
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from app.exporting import plain_columns, write_xlsx
from app.models import ChangeRecord, ExportLog, Job
from app.presets import PRESETS
from app.roles import DISTRICT, ENTRY, STREET
from tests.conftest import csrf_token, make_user
from tests.factories import household, resident

JIA, YI, BING = "120110001001", "120110001002", "120110002001"


def export(b, list_url: str, query: str = "", preset: str = "", follow: bool = False):
    """Press 导出Excel on the list page (with its query string), as the browser does."""
    page = b.get(f"{list_url}{query}").get_data(as_text=True)
    action = re.search(r'<form class="btn-group toolbar-form"[^>]*?action="([^"]+)"', page)
    assert action, "no export button"
    data = {"csrf_token": csrf_token(page), **({"preset": preset} if preset else {})}
    return b.post(action.group(1).replace("&amp;", "&"), data=data, follow_redirects=follow)


def book(response):
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.data))


def rows_of(wb):
    return [list(row) for sheet in wb.worksheets
            for row in sheet.iter_rows(min_row=2, values_only=True)]


def column(wb, header: str) -> list:
    sheet = wb.worksheets[0]
    heads = [c.value for c in sheet[1]]
    return [row[heads.index(header)] for row in rows_of(wb)]


@pytest.fixture
def people(app, db, tree):
    """甲社区: 12 residents (one with a formula-like name and note), 丙社区: one outsider."""
    make_user(app, "jia", tree[JIA], ENTRY)
    make_user(app, "street", tree["120110001000"], STREET)
    make_user(app, "district", tree["120110000000"], DISTRICT)
    home = household(db, tree[JIA], no="JIA-1", estate="幸福里")
    names = [f"居民{n:02d}" for n in range(11)] + ["=SUM(A1:A2)"]
    made = [resident(db, home, name=name, relation="02" if n == 0 else "10",
                     birth=datetime.date(1990, 1, 1) + datetime.timedelta(days=n),
                     phone="13812345678", notes="+1 备注" if n == 11 else None)
            for n, name in enumerate(names)]
    far = household(db, tree[BING], no="BING-1")
    resident(db, far, name="外人")
    return made


def test_rows_and_order_as_the_list_across_pages(app, people, browser):
    b = browser("jia")
    query = "?_oc_ResidentView=name&_od_ResidentView=desc&psize_ResidentView=5"
    wb = book(export(b, "/residentview/list/", query))
    names = column(wb, "姓名")
    assert names == sorted((p.name for p in people), reverse=True)  # all pages, list's order
    assert "外人" not in names  # another community: never present
    heads = [c.value for c in wb.worksheets[0][1]]
    assert heads[:5] == ["姓名", "公民身份号码", "原15位身份证号", "性别", "出生日期"]
    assert "所属户" in heads and "特殊人群" in heads


def test_filters_apply_and_cells_are_typed(app, people, browser):
    b = browser("jia")
    wb = book(export(b, "/residentview/list/", "?_flt_0_name=居民0"))
    sheet = wb.worksheets[0]
    assert column(wb, "姓名") == [f"居民{n:02d}" for n in range(10)]
    assert column(wb, "性别")[0] == "男"  # code names, not codes
    born = column(wb, "出生日期")[0]
    assert isinstance(born, datetime.datetime) and born.date() == datetime.date(1990, 1, 1)
    ids = column(wb, "公民身份号码")
    assert all(isinstance(v, str) and len(v) == 18 for v in ids)  # full: 社区录入 sees them
    assert column(wb, "联系电话")[0] == "13812345678"
    assert column(wb, "所属户")[0] == "JIA-1"
    assert column(wb, "变动日期")[0] is None  # a missing value is blank, not "None"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")


def test_formula_like_text_stays_text(app, people, browser):
    wb = book(export(browser("jia"), "/residentview/list/"))
    sheet = wb.worksheets[0]
    heads = [c.value for c in sheet[1]]
    cells = [row[heads.index("姓名")] for row in sheet.iter_rows(min_row=2)]
    evil = next(c for c in cells if c.value == "=SUM(A1:A2)")
    assert evil.data_type == "s"
    assert "+1 备注" in column(wb, "备注")


def test_masking_per_role(app, people, browser):
    wb = book(export(browser("street"), "/residentview/list/"))
    ids, phones = column(wb, "公民身份号码"), column(wb, "联系电话")
    assert ids and all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", v) for v in ids)
    assert set(phones) == {"138****5678"}


def test_scope_of_a_street_account(app, db, people, tree, browser):
    home = household(db, tree[YI], no="YI-1")
    resident(db, home, name="乙社区人")
    names = column(book(export(browser("street"), "/residentview/list/")), "姓名")
    assert "乙社区人" in names and "外人" not in names and len(names) == 13


def test_presets_give_their_columns_and_rows(app, db, people, tree, browser):
    home = household(db, tree[JIA], no="JIA-2")
    today = datetime.date.today()
    woman = resident(db, home, name="育龄", male=False, relation="02",
                     birth=today.replace(year=today.year - 30))
    resident(db, home, name="年长", male=False, relation="10",
             birth=today.replace(year=today.year - 55))
    child = resident(db, home, name="学童", relation="10",
                     birth=today.replace(year=today.year - 8))
    b = browser("jia")
    response = export(b, "/residentview/list/", preset="women_15_49")
    wb = book(response)
    heads = [c.value for c in wb.worksheets[0][1]]
    assert heads[:4] == ["姓名", "公民身份号码", "性别", "出生日期"] and "婚姻状况" in heads
    assert column(wb, "姓名") == [woman.name]
    assert column(book(export(b, "/residentview/list/", preset="school_age")), "姓名") == [
        child.name]
    assert "人口计生" in response.headers["Content-Disposition"] or "%E4%BA%BA" in \
        response.headers["Content-Disposition"]
    assert export(b, "/residentview/list/", preset="nonsense").status_code == 404
    assert len(PRESETS) >= 6


def test_filename_header_and_export_log(app, db, people, browser):
    response = export(browser("jia"), "/residentview/list/", "?_flt_0_name=居民0")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''%E5%B1%85%E6%B0%91" in disposition  # 居民列表_YYYYMMDD.xlsx
    db.session.expire_all()
    log = db.session.scalars(select(ExportLog)).one()
    assert (log.rows, log.mode, log.preset) == (10, "direct", None)
    assert log.list_name == "居民列表" and "姓名" in log.filters and "居民0" in log.filters
    assert "居民列表" in browser("jia").get("/exportlogview/list/").get_data(as_text=True)


def test_export_log_is_scoped(app, db, people, tree, browser):
    make_user(app, "bing", tree[BING], ENTRY)
    export(browser("jia"), "/residentview/list/")
    assert "居民列表" not in browser("bing").get("/exportlogview/list/").get_data(as_text=True)
    assert "居民列表" in browser("street").get("/exportlogview/list/").get_data(as_text=True)


def test_background_job_for_large_lists(app, db, people, browser, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_THRESHOLD", 5)
    monkeypatch.setitem(app.config, "JOBS_SYNCHRONOUS", True)
    b = browser("street")
    response = export(b, "/residentview/list/")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    page = b.get(response.headers["Location"]).get_data(as_text=True)
    assert "已完成" in page and "下载结果文件" in page
    download = b.get(response.headers["Location"].rstrip("/") + "/download")
    wb = book(download)
    assert len(column(wb, "姓名")) == 12 and set(column(wb, "联系电话")) == {"138****5678"}
    job_url = response.headers["Location"]
    assert browser("jia").get(job_url.rstrip("/") + "/download").status_code == 404
    db.session.expire_all()
    assert db.session.scalars(select(ExportLog.mode)).all() == ["job"]
    assert db.session.scalars(select(Job.status)).all() == ["done"]


def test_sheet_continuation(app, people, browser, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_SHEET_ROWS", 5)
    wb = book(export(browser("jia"), "/residentview/list/"))
    assert [s.max_row for s in wb.worksheets] == [6, 6, 3]
    assert wb.worksheets[1]["A1"].value == "姓名"
    assert len(rows_of(wb)) == 12


def test_writer_continues_on_new_sheets_with_a_small_limit(tmp_path):
    path = tmp_path / "t.xlsx"
    columns = plain_columns(["编号", "名称"], [[1, "a"]])
    assert write_xlsx(path, "测试", columns, ([n, f"=x{n}"] for n in range(7)), sheet_rows=3) == 7
    wb = openpyxl.load_workbook(path)
    assert [ws.title for ws in wb.worksheets] == ["测试", "测试（2）", "测试（3）"]
    assert [r for ws in wb.worksheets for r in ws.iter_rows(min_row=2, values_only=True)][-1] == (
        6, "=x6")


def test_csrf_and_permission_refusals(app, db, people, tree, browser):
    b = browser("jia")
    assert b.post("/residentview/export/", data={}).status_code == 400  # no CSRF token
    assert b.get("/residentview/export/").status_code == 405
    reader_role(app)
    make_user(app, "reader", tree[JIA], "只读居民")
    reader = browser()
    reader_token = csrf_token(reader.get("/login/").get_data(as_text=True))  # the session's
    reader.login("reader")
    page = reader.get("/residentview/list/").get_data(as_text=True)
    assert "居民00" in page and "导出Excel" not in page  # no button without the permission …
    refused = reader.post("/residentview/export/", data={"csrf_token": reader_token})
    assert refused.status_code == 403  # … and the route refuses it
    token = csrf_token(b.get("/residentview/list/").get_data(as_text=True))
    # 职务名额 is for 区级管理: the community account may not export it.
    assert b.post("/postview/export/", data={"csrf_token": token}).status_code == 403
    assert db.session.scalar(select(ExportLog.id)) is None


def reader_role(app):
    """A role reading residents without export (as an admin may define one)."""
    sm = app.appbuilder.sm
    role = sm.add_role("只读居民")
    sm.add_permission_role(role, sm.find_permission_view_menu("can_read", "Resident"))
    return role


def test_every_list_has_the_export_button_and_permission(app, db, tree, browser):
    make_user(app, "admin1")
    b = browser("admin1")
    from app.views.export import ExportMixin

    views = [v for v in app.appbuilder.baseviews if isinstance(v, ExportMixin)]
    names = {type(v).__name__ for v in views}
    assert {"ResidentView", "HouseholdView", "OrganisationView", "AccountView", "PostView",
            "QuotaOverrideView", "CodeItemView", "HistoryView", "LoginEventView", "ImportLogView",
            "ExportLogView", "TrainingRecordView", "EquipmentView", "CommunityTargetView",
            "FeedbackView"} <= names
    for view in views:
        assert "export" in view.grants, type(view).__name__
        if view.list_template.endswith("scoped_list.html") and view.__class__.__name__ not in (
                "ChildOrganisationView", "RecordHistoryView"):
            url = f"/{view.route_base.strip('/')}/list/"
            assert "导出Excel" in b.get(url).get_data(as_text=True), url


@pytest.mark.parametrize("url", ["/householdview/list/", "/organisationview/list/",
                                 "/users/list/", "/postview/list/", "/codeitemview/list/",
                                 "/historyview/list/", "/logineventview/list/",
                                 "/importlogview/list/", "/trainingrecordview/list/",
                                 "/equipmentview/list/", "/communitytargetview/list/",
                                 "/feedbackview/list/", "/quotaoverrideview/list/",
                                 "/exportlogview/list/", "/apikeyview/list/"])
def test_every_list_exports(app, db, people, tree, browser, url):
    make_user(app, "admin1")
    db.session.add(ChangeRecord(at=datetime.datetime.now(), username="jia", model="Household",
                                object_label="JIA-1", organisation_id=tree[JIA].id,
                                action="update", changes=[["estate", "旧", "新"]]))
    db.session.commit()
    wb = book(export(browser("admin1"), url))
    heads = [c.value for c in wb.worksheets[0][1]]
    assert heads and all(isinstance(h, str) and h for h in heads)
    assert "None" not in [v for row in rows_of(wb) for v in row]
    if url == "/historyview/list/":
        assert "变更内容" not in heads and "JIA-1" in column(wb, "对象")
        assert "修改" in column(wb, "操作") and None not in column(wb, "对象类型")
