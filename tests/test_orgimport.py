"""Division list import: the Dongli file (command line and admin screen), idempotence, bad rows."""
import io
from collections import Counter

from app.models import Organisation
from app.orgimport import import_organisations, import_organisations_file
from app.roles import ENTRY
from tests.conftest import csrf_token, make_user, shared_file


def test_dongli_file_imports_every_unit_with_its_parent(app, db):
    path = shared_file("dongli_divisions.csv")
    report = import_organisations_file(str(path))
    assert (report.created, report.updated, report.unchanged, report.rejected) == (268, 0, 0, [])
    orgs = db.session.query(Organisation).all()
    levels = Counter(o.level for o in orgs)
    assert levels == {"city": 2, "district": 1, "street": 19, "community": 246}
    assert all(o.parent is not None for o in orgs if o.code != "120000000000")
    assert all(o.path == o.compute_path() for o in orgs)
    again = import_organisations_file(str(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 268)


def test_bad_rows_are_rejected_with_their_reason_and_the_rest_imported(db):
    report = import_organisations(["code", "name"], [
        ["120000000000", "天津市"], ["12011000100", "短代码"], ["120110001001", ""],
        ["120111001001", "无上级社区"]])
    assert report.created == 1
    reasons = dict(report.rejected)
    assert "应为12位数字" in reasons[3] and "名称为空" in reasons[4]
    assert "上级单位“120111001000”不存在" in reasons[5]


def test_admin_imports_through_the_screen_and_others_may_not(app, db, tree, browser):
    make_user(app, "admin1")
    make_user(app, "deputy", tree["120110001001"], ENTRY)
    sheet = "区划代码,名称\n120110001003,新社区\n".encode("gbk")
    admin = browser("admin1")
    token = csrf_token(admin.get("/organisationview/import/").get_data(as_text=True))
    page = admin.post("/organisationview/import/", data={
        "csrf_token": token, "file": (io.BytesIO(sheet), "区划.csv")}).get_data(as_text=True)
    assert "新增 1，更新 0，未变 0，拒绝 0" in page
    assert db.session.query(Organisation).filter_by(code="120110001003").one().name == "新社区"
    assert browser("deputy").get("/organisationview/import/").status_code in (302, 403)
