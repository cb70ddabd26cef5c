"""Import of residents with their households: real files (xlsxwriter, openpyxl, CSV in three
encodings) through real HTTP, the command line and a background job; rules, scope, upserts."""
import datetime
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from app.columns import RESIDENT_IMPORT, label_of
from app.models import Household, ImportLog, Resident
from app.roles import ENTRY, STREET
from tests import sheets
from tests.conftest import make_user
from tests.factories import household, id_number, resident

JIA, YI, BING = "120110001001", "120110001002", "120110002001"


# -- helpers ------------------------------------------------------------------------------------
def upload(b, data: bytes, name: str = "居民.xlsx", community=None):
    form = {"file": (io.BytesIO(data), name)}
    if community is not None:
        form["community"] = str(community.id)
    return b.submit("/import/", form, content_type="multipart/form-data")


def preview(b, data: bytes, name: str = "居民.xlsx", community=None) -> tuple[str, str]:
    response = upload(b, data, name, community)
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    assert "/import/" in url and url.rstrip("/") != "/import", url
    return url, b.get(url).get_data(as_text=True)


def confirm(b, preview_url: str, mode: str = "all") -> str:
    response = b.submit(preview_url, {"mode": mode}, post_url=preview_url + "confirm")
    assert response.status_code == 302
    return b.get(response.headers["Location"]).get_data(as_text=True)


def counts_in(html: str) -> list[int]:
    """The eight numbers of the counts table: rows, new, updated, unchanged, errors, households."""
    table = html[html.index("<th>总行数</th>"):]
    return [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", table)[:8]]


def flashed(b) -> str:
    return b.get("/import/").get_data(as_text=True)


@pytest.fixture
def jia_user(app, db, tree):
    return make_user(app, "jia", tree[JIA], ENTRY)


# -- the template ---------------------------------------------------------------------------------
def test_template_has_chinese_headers_notes_and_dropdowns_on_every_row(app, jia_user, browser):
    response = browser("jia").get("/import/template")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    spec = RESIDENT_IMPORT
    assert header == ([label_of(Resident, n) for n in spec.check]
                      + [label_of(Household, n) for n in spec.household]
                      + [label_of(Resident, n) for n in spec.resident])
    assert all(c.comment is not None for c in sheet[1])
    ethnic_col = header.index("民族") + 1
    assert "必填" in sheet.cell(1, header.index("姓名") + 1).comment.text
    assert "1980-01-01" in sheet.cell(1, header.index("出生日期") + 1).comment.text
    assert "按公民身份号码自动填写" in sheet.cell(1, header.index("性别") + 1).comment.text
    letter = openpyxl.utils.get_column_letter(ethnic_col)
    ethnic = [v for v in sheet.data_validations.dataValidation if letter + "2" in str(v.sqref)]
    assert ethnic and str(ethnic[0].sqref) == f"{letter}2:{letter}1048576"
    lists = book["代码表"]
    assert lists.sheet_state == "hidden"
    names = [c.value for c in lists[openpyxl.utils.get_column_letter(ethnic_col)] if c.value]
    assert "汉族" in names and ethnic[0].formula1.endswith(f"${len(names)}")


def test_filled_in_template_imports(app, jia_user, db, browser, tree):
    """The template, filled in with openpyxl the way a user would, imports as it is."""
    b = browser("jia")
    book = openpyxl.load_workbook(io.BytesIO(b.get("/import/template").data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheets.family():
        sheet.append([row.get(h) for h in header])
    out = io.BytesIO()
    book.save(out)
    url, html = preview(b, out.getvalue())
    assert counts_in(html) == [3, 3, 0, 0, 0, 1, 0, 0]
    html = confirm(b, url)
    assert "导入完成" in html
    assert db.session.scalar(select(func.count(Resident.id))) == 3


# -- real files ----------------------------------------------------------------------------------
WRITERS = {
    "xlsxwriter": (sheets.xlsxwriter_bytes, "居民.xlsx"),
    "openpyxl": (sheets.openpyxl_bytes, "居民.xlsx"),
    "csv-utf8": (lambda rows, header=None: sheets.csv_bytes(rows, "utf-8", header), "居民.csv"),
    "csv-utf8-bom": (lambda rows, header=None: sheets.csv_bytes(rows, "utf-8-sig", header),
                     "居民.csv"),
    "csv-gbk": (lambda rows, header=None: sheets.csv_bytes(rows, "gbk", header), "居民.csv"),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_households_and_residents_import_from_every_writer(app, jia_user, db, browser, tree,
                                                          writer):
    write, name = WRITERS[writer]
    rows = sheets.family("H001") + [sheets.person("H002", "王芳", male=False)]
    header = list(reversed(sheets.HEADER))  # any column order
    b = browser("jia")
    url, html = preview(b, write(rows, header), name)
    assert counts_in(html) == [4, 4, 0, 0, 0, 2, 0, 0]
    html = confirm(b, url)
    assert "导入完成" in html and "新增 4 人" in html
    head = db.session.scalar(select(Resident).where(Resident.name == "张建国"))
    assert (head.relation, head.sex, head.birth_date, head.ethnic, head.phone) == (
        "02", "1", datetime.date(1980, 1, 1), "01", "13812345678")
    assert head.community_id == tree[JIA].id and head.household.household_no == "H001"
    assert head.household.address == "丽苑小区3号楼2单元301"
    child = db.session.scalar(select(Resident).where(Resident.name == "张小明"))
    assert (child.relation, child.household_id) == ("20", head.household_id)
    log = db.session.scalars(select(ImportLog)).one()
    assert (log.status, log.created, log.households_created, log.user_id, log.source) == (
        "imported", 4, 2, jia_user.id, "web")


def test_unknown_columns_are_reported_and_codes_accepted_as_names_or_codes(app, jia_user, db,
                                                                          browser):
    rows = [sheets.person("H001", "张建国", 籍贯="天津", 民族="1"),
            sheets.person("H001", "李秀英", relation="10", male=False, 籍贯="河北", 民族="回族")]
    url, html = preview(browser("jia"), sheets.xlsxwriter_bytes(rows, sheets.HEADER + ["籍贯"]))
    assert "以下列不是导入字段，将被忽略" in html and "L列“籍贯”" in html
    assert counts_in(html)[:5] == [2, 2, 0, 0, 0]


# -- bad files: a clear message, nothing written ---------------------------------------------------
def _encrypted() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(sheets.xlsxwriter_bytes(sheets.family()))).encrypt("密码", out)
    return out.getvalue()


def _merged_header() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(sheets.openpyxl_bytes(sheets.family())))
    book.active.merge_cells("A1:B1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _formulas() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(sheets.openpyxl_bytes(sheets.family())))
    book.active["J3"] = '=IF(1,"汉族","")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _empty_sheet() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def _rows_only(values) -> bytes:
    book = openpyxl.Workbook()
    for row in values:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BAD_FILES = {
    "wrong type": (lambda: b"just text", "居民.txt", "不支持的文件类型"),
    "corrupt xlsx": (lambda: sheets.xlsxwriter_bytes(sheets.family())[:700], "居民.xlsx",
                     "文件已损坏"),
    "not a zip": (lambda: b"PK\x03\x04 definitely not a workbook", "居民.xlsx", "文件已损坏"),
    "encrypted xlsx": (_encrypted, "居民.xlsx", "设置了打开密码"),
    "empty sheet": (_empty_sheet, "居民.xlsx", "文件是空的"),
    "empty csv": (lambda: b"\xef\xbb\xbf\r\n,,\r\n", "居民.csv", "文件是空的"),
    "header only": (lambda: sheets.csv_bytes([]), "居民.csv", "只有表头"),
    "no header row": (lambda: _rows_only(sheets.table(sheets.family())[1]), "居民.xlsx",
                      "找不到表头"),
    "merged header": (_merged_header, "居民.xlsx", "表头有合并单元格（A1:B1）"),
    "formulas": (_formulas, "居民.xlsx", "文件中含有公式（如 J3 单元格）"),
    "missing required column": (
        lambda: sheets.csv_bytes(sheets.family(), header=["户编号", "姓名", "民族"]), "居民.csv",
        "缺少必需的列：公民身份号码"),
    "duplicate column": (
        lambda: sheets.csv_bytes(sheets.family(), header=sheets.HEADER + ["姓名"]), "居民.csv",
        "表头“姓名”出现了两次"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_get_a_clear_message_and_write_nothing(app, jia_user, db, browser, case):
    make, name, message = BAD_FILES[case]
    b = browser("jia")
    response = upload(b, make(), name)
    assert response.status_code == 302 and response.headers["Location"].endswith("/import/")
    assert message in flashed(b)
    assert db.session.scalar(select(func.count(Resident.id))) == 0
    assert db.session.scalar(select(func.count(ImportLog.id))) == 0


def test_file_over_the_size_limit_is_refused(app, jia_user, db, browser, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2000)
    b = browser("jia")
    upload(b, sheets.csv_bytes(sheets.family() * 20), "居民.csv")
    assert "文件太大" in flashed(b)
    assert db.session.scalar(select(func.count(Resident.id))) == 0


def test_body_over_the_request_limit_is_refused_before_it_is_read(app, jia_user, db, browser,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 3000)
    response = upload(browser("jia"), sheets.csv_bytes(sheets.family() * 20), "居民.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "上传的内容太大" in page and "Request Entity" not in page
    assert db.session.scalar(select(func.count(Resident.id))) == 0


def test_title_rows_and_merged_data_cells(app, db, tree):
    """A merged title above the header is skipped; a 户编号 merged over a family's rows counts for
    each of them."""
    from app.importing import check_file

    head, values = sheets.table(sheets.family("H009"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["甲社区居民花名册"])
    sheet.merge_cells("A1:K1")
    sheet.append(head)
    for row in values:
        sheet.append(row)
    sheet["A4"] = sheet["A5"] = None
    sheet.merge_cells("A3:A5")
    out = io.BytesIO()
    book.save(out)
    plan = check_file(out.getvalue(), "花名册.xlsx", tree[JIA])
    assert plan.counts.errors == 0 and plan.counts.households_new == 1
    assert [row.no for row in plan.rows] == [3, 4, 5]


# -- rules, as the forms apply them ----------------------------------------------------------------
def _check(tree, rows, community=JIA, header=None):
    from app.importing import check_file, error_list

    plan = check_file(sheets.csv_bytes(rows, header=header), "居民.csv", tree[community])
    return plan, error_list(plan)


def test_row_rules_are_the_forms_rules(app, db, tree):
    bad_id = sheets.person("H001", "甲", 公民身份号码="120110198001010010")
    wrong_sex = sheets.person("H002", "乙", 性别="女")
    wrong_birth = sheets.person("H003", "丙", 出生日期="1981-02-03")
    bad_phone = sheets.person("H004", "丁", 联系电话="12345")
    bad_code = sheets.person("H005", "戊", 民族="火星族")
    no_name = sheets.person("H006", "")
    plan, errors = _check(tree, [bad_id, wrong_sex, wrong_birth, bad_phone, bad_code, no_name],
                          header=sheets.HEADER + ["性别", "出生日期"])
    assert errors == [
        (2, "公民身份号码", "公民身份号码校验码错误：第18位应为9，实际为0"),
        (3, "性别", "性别与公民身份号码不符：号码第17位表示男"),
        (4, "出生日期", "出生日期与公民身份号码不符：号码中的出生日期为1980-01-01"),
        (5, "联系电话", "电话号码无效：号码过短（110、12345等服务短号不能作为联系电话）"),
        (6, "民族", "“火星族”不是有效的民族：请填写名称（如“汉族”）或代码"),
        (7, "姓名", "姓名不能为空"),
    ]
    assert plan.counts.errors == 6 and plan.writes == 0


@pytest.mark.parametrize("written", ["1980-01-01", "1980/1/1", "1980.01.01", "1980年1月1日",
                                     "19800101", "1980-01-01 00:00:00"])
def test_dates_as_people_write_them(app, db, tree, written):
    row = sheets.person("H001", "甲", 出生日期=written)
    _, errors = _check(tree, [row], header=sheets.HEADER + ["出生日期"])
    assert errors == []


def test_a_date_that_is_no_date_names_the_field(app, db, tree):
    row = sheets.person("H001", "甲", 出生日期="1980-02-30")
    _, errors = _check(tree, [row], header=sheets.HEADER + ["出生日期"])
    assert errors == [(2, "出生日期", "“1980-02-30”不是有效日期：请写成 1980-01-01 的形式")]


def test_fifteen_digit_number_is_upgraded_and_sex_birth_derived(app, db, tree):
    from app.importing import check_file, import_plan

    row = sheets.person("H001", "王老", 公民身份号码="120110500101001")
    plan = check_file(sheets.csv_bytes([row]), "居民.csv", tree[JIA])
    import_plan(plan, file_name="居民.csv", valid_only=False, source="cli")
    person = db.session.scalars(select(Resident)).one()
    assert (person.id_card_no, person.id_card_original) == ("120110195001010015",
                                                            "120110500101001")
    assert (person.sex, person.birth_date) == ("1", datetime.date(1950, 1, 1))


def test_duplicates_inside_the_file_are_reported_on_every_occurrence(app, db, tree):
    first = sheets.person("H001", "甲")
    again = sheets.person("H002", "乙", 公民身份号码=first["公民身份号码"])
    _, errors = _check(tree, [first, sheets.person("H003", "丙"), again])
    assert errors == [(2, "公民身份号码", "文件中重复出现：第2、4行"),
                      (4, "公民身份号码", "文件中重复出现：第2、4行")]


def test_one_head_per_household_across_the_file_and_the_database(app, db, tree):
    existing = household(db, tree[JIA], no="H100")
    resident(db, existing, name="老户主")
    rows = [sheets.person("H001", "甲"), sheets.person("H001", "乙"),
            sheets.person("H100", "丙"), sheets.person("H002", "丁", relation="子")]
    _, errors = _check(tree, rows)
    assert errors == [
        (2, "与户主关系", "同一户在文件中有多名户主（第2、3行），每户只能有一名户主"),
        (3, "与户主关系", "同一户在文件中有多名户主（第2、3行），每户只能有一名户主"),
        (4, "与户主关系", "该户已有户主（老户主），每户只能有一名户主"),
    ]


def test_head_can_change_hands_in_one_import(app, db, tree):
    """The old head becomes 配偶 and the spouse becomes 户主 in the same file."""
    from app.importing import check_file, import_plan

    hh = household(db, tree[JIA], no="H100")
    old = resident(db, hh, name="老户主")
    spouse = resident(db, hh, name="配偶", relation="10", male=False)
    rows = [sheets.person("H100", "老户主", relation="配偶", 公民身份号码=old.id_card_no),
            sheets.person("H100", "配偶", relation="户主", male=False,
                          公民身份号码=spouse.id_card_no)]
    plan = check_file(sheets.csv_bytes(list(reversed(rows))), "居民.csv", tree[JIA])
    assert plan.counts.errors == 0 and plan.counts.updated == 2
    outcome = import_plan(plan, file_name="居民.csv", valid_only=False, source="cli")
    assert outcome.status == "imported"
    db.session.expire_all()
    assert (old.relation, spouse.relation) == ("10", "02")
    assert (old.version, spouse.version) == (2, 2)


def test_household_rows_must_agree_and_cancelled_households_take_no_members(app, db, tree):
    household(db, tree[JIA], no="H200", status="cancelled")
    rows = [sheets.person("H001", "甲", 楼栋="5"), sheets.person("H001", "乙", relation="10",
                                                                  楼栋="6"),
            sheets.person("H200", "丙")]
    _, errors = _check(tree, rows)
    assert errors == [(3, "楼栋", "与同户第2行不一致（第2行为“5”）"),
                      (4, "户编号", "户编号“H200”的户已注销，不能再导入成员")]


def test_special_groups_take_several_names_or_codes(app, db, tree):
    from app.importing import check_file, import_plan

    header = sheets.HEADER + ["特殊人群"]
    rows = [sheets.person("H001", "甲", 特殊人群="低保对象、01，残疾人"),
            sheets.person("H002", "乙", 特殊人群="低保")]
    plan = check_file(sheets.csv_bytes(rows, header=header), "居民.csv", tree[JIA])
    assert [e for r in plan.error_rows for e in r.errors] == [
        ("特殊人群", "“低保”不是有效的特殊人群：请填写名称（如“独居老人”）或代码")]
    import_plan(plan, file_name="居民.csv", valid_only=True, source="cli")
    person = db.session.scalars(select(Resident)).one()
    assert sorted(g.code for g in person.special_groups) == ["01", "02", "03"]
    rows[0]["特殊人群"] = "残疾人"  # a new list replaces the registered one
    plan = check_file(sheets.csv_bytes(rows[:1], header=header), "居民.csv", tree[JIA])
    assert plan.counts.updated == 1
    import_plan(plan, file_name="居民.csv", valid_only=False, source="cli")
    db.session.expire_all()
    assert [g.code for g in person.special_groups] == ["02"]


# -- upserts ---------------------------------------------------------------------------------------
def test_same_file_twice_is_all_unchanged(app, jia_user, db, browser):
    data = sheets.xlsxwriter_bytes(sheets.family())
    b = browser("jia")
    confirm(b, preview(b, data)[0])
    url, html = preview(b, data)
    assert counts_in(html) == [3, 0, 0, 3, 0, 0, 0, 1]
    html = confirm(b, url)
    assert "未变 3 人" in html
    assert db.session.scalar(select(func.count(Resident.id))) == 3
    assert {r.version for r in db.session.scalars(select(Resident))} == {1}


def test_changed_rows_update_and_empty_cells_keep_values(app, jia_user, db, browser):
    rows = sheets.family()
    b = browser("jia")
    confirm(b, preview(b, sheets.xlsxwriter_bytes(rows))[0])
    rows[0]["联系电话"] = "022-84376000"
    rows[1]["联系电话"] = ""  # empty: keeps what is registered
    rows[2]["门牌号"] = "302"  # a household field, given on one member's row
    rows[0]["门牌号"] = rows[1]["门牌号"] = ""
    url, html = preview(b, sheets.xlsxwriter_bytes(rows))
    assert counts_in(html) == [3, 0, 1, 2, 0, 0, 1, 0]
    confirm(b, url)
    db.session.expire_all()
    head, spouse = (db.session.scalar(select(Resident).where(Resident.name == n))
                    for n in ("张建国", "李秀英"))
    assert (head.phone, spouse.phone, head.household.door) == (
        "022-84376000", "13812345678", "302")


def test_a_record_changed_after_validation_fails_the_import_and_writes_nothing(app, db, tree):
    """Optimistic version check: someone edits a resident between preview and confirm."""
    from app.importing import check_file, import_plan

    hh = household(db, tree[JIA], no="H100")
    person = resident(db, hh, name="老户主")
    rows = [sheets.person("H100", "老户主", 公民身份号码=person.id_card_no, 联系电话="13900000000"),
            sheets.person("H101", "新人")]
    plan = check_file(sheets.csv_bytes(rows), "居民.csv", tree[JIA])
    assert (plan.counts.new, plan.counts.updated) == (1, 1)
    person.name = "别人改过"
    db.session.commit()
    outcome = import_plan(plan, file_name="居民.csv", valid_only=False, source="cli")
    assert outcome.status == "failed" and "导入期间有记录被他人修改" in outcome.message
    assert db.session.scalar(select(func.count(Resident.id))) == 1
    assert db.session.scalar(select(func.count(Household.id))) == 1
    db.session.expire_all()
    assert (person.name, person.phone) == ("别人改过", None)
    log = db.session.scalars(select(ImportLog)).one()
    assert (log.status, log.created, log.updated) == ("failed", 0, 0)


def test_number_registered_in_another_community_is_a_conflict_not_a_move(app, jia_user, db,
                                                                         browser, tree):
    other = resident(db, household(db, tree[YI], no="Y1"), name="乙社区人")
    rows = [sheets.person("H001", "乙社区人", 公民身份号码=other.id_card_no),
            sheets.person("H002", "新人")]
    b = browser("jia")
    url, html = preview(b, sheets.xlsxwriter_bytes(rows))
    assert "该公民身份号码已在乙社区登记；不会移到本社区" in html
    assert "乙社区人" not in html.split("错误明细")[1]  # a name outside the scope is not shown
    html = confirm(b, url, mode="valid")
    assert "新增 1 人" in html
    db.session.expire_all()
    assert other.community_id == tree[YI].id and other.household.household_no == "Y1"


# -- scope -----------------------------------------------------------------------------------------
def test_rows_naming_another_community_are_rejected(app, jia_user, db, browser, tree):
    rows = [dict(sheets.person("H001", "甲"), 所属社区="乙社区"),
            dict(sheets.person("H002", "乙"), 所属社区=JIA)]
    url, html = preview(browser("jia"), sheets.csv_bytes(rows, header=["所属社区"] + sheets.HEADER),
                        "居民.csv")
    assert "“乙社区”不是本次导入的社区（甲社区）" in html
    assert counts_in(html)[:5] == [2, 1, 0, 0, 1]


def test_a_community_account_imports_into_its_own_community_only(app, jia_user, db, browser,
                                                                tree):
    b = browser("jia")
    url, _ = preview(b, sheets.csv_bytes(sheets.family()), "居民.csv", community=tree[YI])
    confirm(b, url)
    assert {r.community_id for r in db.session.scalars(select(Resident))} == {tree[JIA].id}


def test_an_account_over_several_communities_chooses_one_inside_its_scope(app, db, tree,
                                                                         browser):
    make_user(app, "street", tree["120110001000"], ENTRY)
    b = browser("street")
    page = b.get("/import/").get_data(as_text=True)
    assert "甲社区" in page and "乙社区" in page and "丙社区" not in page
    response = upload(b, sheets.csv_bytes(sheets.family()), "居民.csv", community=tree[BING])
    assert response.headers["Location"].endswith("/import/")
    assert "请选择要导入的社区" in flashed(b)
    url, _ = preview(b, sheets.csv_bytes(sheets.family()), "居民.csv", community=tree[YI])
    confirm(b, url)
    assert {r.community_id for r in db.session.scalars(select(Resident))} == {tree[YI].id}


def test_viewers_cannot_import_and_uploads_belong_to_their_owner(app, jia_user, db, tree,
                                                                browser):
    make_user(app, "viewer", tree["120110001000"], STREET)
    make_user(app, "jia2", tree[JIA], ENTRY)
    viewer = browser("viewer")
    assert viewer.get("/import/").status_code == 403
    assert 'href="/import/"' not in viewer.get("/residentview/list/").get_data(as_text=True)
    url, _ = preview(browser("jia"), sheets.csv_bytes(sheets.family()), "居民.csv")
    other = browser("jia2")
    assert other.get(url).status_code == 404
    response = other.submit("/import/", {}, post_url=url + "confirm")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Resident.id))) == 0


def test_import_buttons_on_the_resident_and_household_lists(app, jia_user, browser):
    b = browser("jia")
    for url in ("/residentview/list/", "/householdview/list/"):
        html = b.get(url).get_data(as_text=True)
        assert 'href="/import/"' in html and "导入</a>" in html


# -- all or nothing, valid rows only, the error sheet -----------------------------------------------
def test_all_or_nothing_by_default_and_valid_rows_only_on_request(app, jia_user, db, browser):
    rows = sheets.family() + [sheets.person("H002", "错号", 公民身份号码="120110198001010010")]
    b = browser("jia")
    url, html = preview(b, sheets.xlsxwriter_bytes(rows))
    assert "确认导入" not in html and "只导入无误的行（3 行）" in html
    html = confirm(b, url, mode="all")
    assert "未导入任何数据：有 1 行错误" in html and "新增 3 人" in html
    assert db.session.scalar(select(func.count(Resident.id))) == 0
    again = b.submit("/import/", {"mode": "valid"}, post_url=url + "confirm")
    assert again.headers["Location"].endswith("/result")  # an upload is confirmed once only
    assert db.session.scalar(select(func.count(Resident.id))) == 0
    url, _ = preview(b, sheets.xlsxwriter_bytes(rows))
    html = confirm(b, url, mode="valid")
    assert "导入完成" in html and "有错误 1 行" in html
    assert db.session.scalar(select(func.count(Resident.id))) == 3
    logs = db.session.scalars(select(ImportLog).order_by(ImportLog.id)).all()
    assert [(g.status, g.mode, g.created, g.errors) for g in logs] == [
        ("rejected", "all", 0, 1), ("imported", "valid", 3, 1)]


def test_error_sheet_round_trip(app, jia_user, db, browser):
    rows = sheets.family()
    rows[1]["公民身份号码"] = "120110198001010010"
    rows[2]["民族"] = "火星族"
    b = browser("jia")
    header = sheets.HEADER + ["籍贯"]
    url, html = preview(b, sheets.openpyxl_bytes(rows, header))
    assert counts_in(html)[4] == 2
    errors = b.get(url + "errors")
    assert errors.status_code == 200 and "attachment" in errors.headers["Content-Disposition"]
    sheet = sheets.read_xlsx(errors.data)
    assert sheet[0] == header + ["错误说明"]
    assert [r[6] for r in sheet[1:]] == ["李秀英", "张小明"]
    assert sheet[1][-1].startswith("原第3行 公民身份号码：公民身份号码校验码错误")
    assert sheet[2][-1] == "原第4行 民族：“火星族”不是有效的民族：请填写名称（如“汉族”）或代码"
    # the user fixes the two cells in the downloaded sheet and uploads it again
    book = openpyxl.load_workbook(io.BytesIO(errors.data))
    fixed = book.worksheets[0]
    fixed["H2"] = id_number(datetime.date(1980, 1, 1), male=False)
    fixed["J3"] = "汉族"
    out = io.BytesIO()
    book.save(out)
    confirm(b, preview(b, sheets.xlsxwriter_bytes(rows[:1]))[0])  # the valid head, imported
    url, html = preview(b, out.getvalue(), "居民_错误.xlsx")
    assert counts_in(html)[:5] == [2, 2, 0, 0, 0] and "错误说明" not in html
    assert "导入完成" in confirm(b, url)
    assert db.session.scalar(select(func.count(Resident.id))) == 3


# -- long imports, the command line, the log ---------------------------------------------------
def test_long_import_runs_as_a_background_job(app, jia_user, db, browser, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_ASYNC_THRESHOLD", 2)
    monkeypatch.setitem(app.config, "JOBS_SYNCHRONOUS", True)
    b = browser("jia")
    url, _ = preview(b, sheets.xlsxwriter_bytes(sheets.family()))
    response = b.submit(url, {"mode": "all"}, post_url=url + "confirm")
    assert "/jobs/" in response.headers["Location"]
    status = b.get(response.headers["Location"].rstrip("/") + "/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100
    assert "导入完成" in status["message"] and "新增 3 人" in status["message"]
    assert "新增 3 人" in b.get(url + "result").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Resident.id))) == 3


def test_command_line_import_prints_counts_and_writes_the_error_sheet(app, db, tree, tmp_path):
    rows = sheets.family() + [sheets.person("H002", "错号", 公民身份号码="120110198001010010")]
    path = tmp_path / "居民.xlsx"
    path.write_bytes(sheets.xlsxwriter_bytes(rows, sheets.HEADER + ["籍贯"]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["residents", "import", str(path), "--community", JIA])
    assert result.exit_code == 1
    assert "以下列不是导入字段，已忽略：L列“籍贯”" in result.output
    assert "未导入任何数据：有 1 行错误" in result.output
    assert "第5行 公民身份号码：公民身份号码校验码错误" in result.output
    error_sheet = tmp_path / "居民_错误.xlsx"
    assert sheets.read_xlsx(error_sheet.read_bytes())[1][6] == "错号"
    result = runner.invoke(args=["residents", "import", str(path), "--community", JIA,
                                 "--valid-only"])
    assert result.exit_code == 0 and "导入完成" in result.output and "新增 3 人" in result.output
    assert db.session.scalar(select(func.count(Resident.id))) == 3
    assert [g.source for g in db.session.scalars(select(ImportLog))] == ["cli", "cli"]
    result = runner.invoke(args=["residents", "import", str(path), "--community", "120110001000"])
    assert result.exit_code != 0 and "找不到区划代码为 120110001000 的社区" in result.output


def test_import_log_is_listed_within_scope(app, jia_user, db, tree, browser, tmp_path):
    for code in (JIA, YI):
        path = tmp_path / f"{code}.csv"
        path.write_bytes(sheets.csv_bytes(sheets.family()))
        app.test_cli_runner().invoke(args=["residents", "import", str(path), "--community", code])
    html = browser("jia").get("/importlogview/list/").get_data(as_text=True)
    assert f"{JIA}.csv" in html and f"{YI}.csv" not in html
    assert db.session.scalar(select(func.count(Household.id))) == 2  # one per community
