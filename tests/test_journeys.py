"""The users' own journeys in a real browser (issue 9), one test per journey, in Chinese, and
the layout check (lists fit 1366×768 for every role that sees them).

Each journey logs in as the role that does the work, uses only what is on the screen (menus,
buttons, select boxes, the date picker) and keeps screenshots of its key screens in
test-artifacts/. Steps that need a feature not yet built look for its control at run time and skip
with the reason, so they start running when the feature lands.
"""
import io
import re
import time

import openpyxl
import pyotp
import pytest
from sqlalchemy import select

from app.idcard import make_id_number
from app.models import LoginEvent, Post, Resident
from app.roles import DISTRICT, DISTRICT_ADMIN, ENTRY, STREET
from bench.synthetic import generate
from tests import sheets
from tests.conftest import make_user
from tests.factories import household, id_number, resident
from tests.live import choose, flash_text, log_in, open_menu, save, shot

pytestmark = pytest.mark.browser

COMMUNITY = "120110001001"  # 甲社区
STREET_ORG = "120110001000"  # 张贵庄街道
DISTRICT_ORG = "120110000000"  # 东丽区
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CONTROL = ".list-toolbar :is(a, button):has-text('导出')"  # not the menu's 导出记录


def _id(birth: str, seq: int) -> str:
    import datetime

    return make_id_number("120110", datetime.date.fromisoformat(birth), seq)


def _wrong_check_digit(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def _add_member(page, name: str, id_number: str, relation: str, household_no: str) -> None:
    page.goto("/residentview/add")
    page.fill("#name", name)
    page.fill("#id_card_no", id_number)
    choose(page, "household", household_no, typed=household_no)
    choose(page, "relation", relation)
    save(page)


def test_journey_1_community_deputy_keeps_a_household(app, db, tree, page):
    """A community deputy adds a household with three members (the first ID number typed wrong,
    the message read and fixed), finds a member by ID number and records one 迁出."""
    make_user(app, "deputy1", tree[COMMUNITY], ENTRY)
    head, spouse, child = _id("1975-03-08", 11), _id("1977-06-20", 22), _id("2003-09-01", 31)

    page.goto("/login/")
    shot(page, "journey1-00-login")
    log_in(page, "deputy1")
    shot(page, "journey1-01-home-after-login")

    # The household.
    open_menu(page, "社区信息", "户信息")
    page.click(".well a[href*='/householdview/add']")
    page.fill("#household_no", "JY-001")
    choose(page, "household_type", "家庭户")
    choose(page, "community", "甲社区")
    page.fill("#estate", "幸福里")
    page.fill("#building", "3")
    page.fill("#door", "201")
    save(page)
    assert "记录已添加" in flash_text(page)
    shot(page, "journey1-02-household-added")

    # First member: the ID number typed with a wrong check digit, the message read, then fixed.
    page.goto("/residentview/add")
    page.fill("#name", "王建国")
    page.fill("#id_card_no", _wrong_check_digit(head))
    page.click("#household + .select2-container .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "JY")
    page.locator(".select2-results__option", has_text="JY-001").first.wait_for()
    shot(page, "journey1-03-household-picker")
    page.locator(".select2-results__option", has_text="JY-001").first.click()
    choose(page, "relation", "户主")
    save(page)
    message = page.get_by_text(re.compile("公民身份号码校验码错误"))
    assert message.is_visible()
    shot(page, "journey1-04-id-number-message")
    page.fill("#id_card_no", head)
    save(page)
    assert "记录已添加" in flash_text(page)

    _add_member(page, "李秀英", spouse, "配偶", "JY-001")
    assert "记录已添加" in flash_text(page)
    _add_member(page, "王小明", child, "长子", "JY-001")
    assert "记录已添加" in flash_text(page)
    open_menu(page, "社区信息", "户信息")
    page.click("table.table-bordered a[href*='/householdview/show/']")
    page.click("a[data-toggle='tab']:has-text('居民列表')")
    for name in ("王建国", "李秀英", "王小明"):  # waits for the tab to finish switching
        page.locator(".tab-pane.active", has_text=name).wait_for(timeout=10_000)
    shot(page, "journey1-05-household-with-three-members")

    # Find a member by ID number through the list's search.
    page.goto("/residentview/list/")
    page.click("a:has-text('搜索')")
    page.click("button:has-text('添加过滤条件')")
    page.click("ul.dropdown-menu a.filter:has-text('公民身份号码')")
    page.fill("input[name^='_flt_'][name$='_id_card_no']", child)
    with page.expect_navigation():
        page.click("#filter_form button[type=submit]")
    rows = page.locator("table.table-bordered tbody tr")
    assert rows.count() == 1 and "王小明" in rows.first.inner_text()
    shot(page, "journey1-06-found-by-id-number")

    # Record the member's 迁出: status, date (through the Chinese date picker) and reason.
    rows.first.locator("a[href*='/residentview/edit/']").click()
    choose(page, "status", "迁出")
    page.click("#status_date")
    picker = page.locator(".datepicker-dropdown")
    assert re.search(r"\d{4}年\d{2}月", picker.locator(".datepicker-switch").first.inner_text())
    assert "一" in picker.locator("th.dow").first.inner_text()
    shot(page, "journey1-07-date-picker")
    page.locator("#status_date").press_sequentially("2024-05-20")  # typed: the picker follows
    page.click("#status_reason")
    page.fill("#status_reason", "迁往河西区")
    save(page)
    assert "记录已更新" in flash_text(page)
    shot(page, "journey1-08-moved-out")

    db.session.expire_all()
    moved = db.session.query(Resident).filter_by(id_card_no=child).one()
    assert (moved.status, str(moved.status_date), moved.status_reason) == (
        "moved_out", "2024-05-20", "迁往河西区")
    assert db.session.query(Resident).filter_by(status="active").count() == 2


def test_journey_1_export_of_the_communitys_residents(app, db, tree, page):
    """Journey 1, last step: the deputy exports the community's residents from the list."""
    make_user(app, "deputy2", tree[COMMUNITY], ENTRY)
    home = household(db, tree[COMMUNITY], no="EX-1")
    resident(db, home, name="赵一")
    log_in(page, "deputy2")
    page.goto("/residentview/list/")
    control = page.locator(EXPORT_CONTROL)
    assert control.count(), "no 导出 control on the resident list"
    with page.expect_download(timeout=60_000) as download:
        control.first.click()
        if page.locator("#job-download").count():
            page.locator("#job-download").click()
    path = download.value.path()
    shot(page, "journey1-09-export")
    from openpyxl import load_workbook

    with open(path, "rb") as stream:  # the download's path has no .xlsx suffix
        sheet = load_workbook(stream).active
        cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "赵一" in cells and "姓名" in cells
    assert download.value.suggested_filename.startswith("居民列表_")


def test_lists_fit_a_1366_screen(app, db, tree, page):
    """Every list in the menu, with data, fits 1366×768 without horizontal scrolling."""
    make_user(app, "wide1")
    for n in range(3):
        home = household(db, tree[COMMUNITY], no=f"长编号-2024-{n:04d}",
                         estate="东丽区张贵庄街道甲社区幸福里小区南区", building="12", unit="3",
                         door="1203")
        resident(db, home, name="欧阳明月", hukou_address="天津市东丽区张贵庄街道幸福里小区")
    log_in(page, "wide1")
    lists = sorted({href for href in page.eval_on_selector_all(
        ".navbar a[href*='/list/']", "links => links.map(a => a.getAttribute('href'))")})
    assert "/residentview/list/" in lists
    too_wide = {}
    for url in lists:
        page.goto(url)
        width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            too_wide[url] = width
        if url == "/residentview/list/":
            shot(page, "layout-resident-list-1366x768")
    assert too_wide == {}


def test_security_screens_read_in_chinese(app, db, tree, page):
    """An admin edits a role: permissions are named in Chinese in the role form."""
    make_user(app, "admin9")
    log_in(page, "admin9")
    open_menu(page, "用户权限", "角色列表")
    row = page.locator("table.table-bordered tbody tr", has_text=ENTRY)
    with page.expect_navigation():
        row.locator("a[href*='/roles/edit/']").click()
    shot(page, "security-role-edit")
    options = [o.strip() for o in page.locator("#permissions option").all_text_contents()]
    assert "居民：查看" in options and "居民信息：菜单" in options


def _record_count(page) -> int:
    """The 记录数 under a list."""
    text = page.locator("strong:has-text('记录数')").locator("xpath=..").inner_text()
    return int(re.search(r"([\d,]+)\s*$", text.strip()).group(1).replace(",", ""))


def _seat_holder(app, db, username: str, org, role: str, post_name: str):
    user = make_user(app, username, org, role)
    user.post_id = db.session.scalar(select(Post.id).filter_by(level=org.level, name=post_name))
    db.session.commit()
    return user


# -- journey 2 ------------------------------------------------------------------------------
def _upload(page, data: bytes, name: str) -> None:
    page.set_input_files("#file", {"name": name, "mimeType": XLSX, "buffer": data})
    with page.expect_navigation():
        page.click("button:has-text('上传并校验')")


def _fix_error_sheet(data: bytes) -> bytes:
    """What the director does in the spreadsheet: reads 错误说明 and fixes each cell."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    for row in range(2, sheet.max_row + 1):
        note = sheet.cell(row, col["错误说明"]).value or ""
        if "公民身份号码" in note:
            sheet.cell(row, col["公民身份号码"]).value = id_number()
        if "民族" in note:
            sheet.cell(row, col["民族"]).value = "汉族"
        sheet.cell(row, col["错误说明"]).value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_journey_2_community_director_imports_a_spreadsheet(app, db, tree, page):
    """A community director imports a spreadsheet with two bad rows, reads the preview, imports
    the good rows, downloads the error sheet, fixes it and imports it again."""
    _seat_holder(app, db, "director1", tree[COMMUNITY], ENTRY, "居委会主任")
    rows = sheets.family("DR-001") + sheets.family("DR-002")
    rows[1]["公民身份号码"] = _wrong_check_digit(rows[1]["公民身份号码"])
    rows[4]["民族"] = "火星族"
    log_in(page, "director1")
    open_menu(page, "社区信息", "居民信息")
    page.click(".list-toolbar a:has-text('导入')")
    shot(page, "journey2-01-import-upload")
    _upload(page, sheets.openpyxl_bytes(rows), "居民.xlsx")

    errors = page.locator("table.table-condensed tbody tr").all_inner_texts()
    assert len(errors) == 2, errors
    assert "第3行" in errors[0] and "公民身份号码" in errors[0]
    assert "第6行" in errors[1] and "民族" in errors[1]
    shot(page, "journey2-02-preview-two-bad-rows")
    with page.expect_navigation():
        page.click("button:has-text('只导入无误的行')")
    assert "4" in page.locator("table.table-bordered td").nth(1).inner_text()  # 新增
    shot(page, "journey2-03-result-good-rows")
    with page.expect_download() as download:
        page.click("a:has-text('下载错误表')")
    assert download.value.suggested_filename == "居民_错误.xlsx"
    error_sheet = open(download.value.path(), "rb").read()
    assert len(sheets.read_xlsx(error_sheet)) == 3  # header and the two bad rows

    page.click("a:has-text('继续导入')")
    _upload(page, _fix_error_sheet(error_sheet), "居民_错误.xlsx")
    assert page.locator("table.table-condensed").count() == 0  # no errors left
    shot(page, "journey2-04-preview-fixed")
    with page.expect_navigation():
        page.click("button:has-text('确认导入')")
    assert "alert-success" in page.locator(".alert").first.get_attribute("class")
    shot(page, "journey2-05-result-fixed")
    page.click("a:has-text('查看居民')")
    assert _record_count(page) == 6
    shot(page, "journey2-06-resident-list")


# -- journey 3 ------------------------------------------------------------------------------
def test_journey_3_street_follows_a_dashboard_number_to_its_list(app, db, tree, page,
                                                                 monkeypatch):
    """A street account opens the dashboard, follows a number to the list behind it (the list
    counts the same), then exports that list with the 公安 preset."""
    monkeypatch.setitem(app.config, "STATS_BACKGROUND_REFRESH", False)  # no race with the wipe
    generate(300, seed=9)
    make_user(app, "street1", tree[STREET_ORG], STREET)
    log_in(page, "street1")
    shot(page, "journey3-01-dashboard")
    total = page.locator("a.total-number").first
    number = int(total.inner_text().replace(",", ""))
    assert number > 0
    with page.expect_navigation():
        total.click()
    assert _record_count(page) == number
    shot(page, "journey3-02-list-behind-total")

    page.go_back()
    link = page.locator("td > a[href*='/residentview/list/?']",
                        has_text=re.compile(r"^[1-9][\d,]*$")).nth(2)
    number = int(link.inner_text().replace(",", ""))
    with page.expect_navigation():
        link.click()
    assert _record_count(page) == number
    shot(page, "journey3-03-list-behind-a-table-number")
    export_with_the_police_preset(page, number)


def export_with_the_police_preset(page, expected_rows: int) -> None:
    """Journey 3, last step: from the list the dashboard led to, export with the 公安 preset and
    read the workbook back (``expected_rows`` rows, the preset's columns)."""
    from openpyxl import load_workbook

    page.click(".list-toolbar .dropdown-toggle")
    with page.expect_download(timeout=60_000) as download:
        page.click(".list-toolbar .dropdown-menu button:has-text('公安')")
    shot(page, "journey3-04-export-police-preset")
    assert "公安" in download.value.suggested_filename
    with open(download.value.path(), "rb") as stream:  # the path has no .xlsx suffix
        sheet = load_workbook(stream, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    assert {"姓名", "户口性质", "户籍地址", "居住状态"} <= set(rows[0])
    assert len(rows) - 1 == expected_rows


# -- journey 4 ------------------------------------------------------------------------------
def _add_account(page, username: str, org: str, post: str) -> None:
    page.goto("/users/add")
    page.fill("#last_name", "副")
    page.fill("#first_name", username)
    page.fill("#username", username)
    page.fill("#email", f"{username}@example.test")
    choose(page, "organisation", org)
    choose(page, "post", post)
    page.check("#active")
    page.fill("#password", "Seat-Passw0rd!")
    page.fill("#conf_password", "Seat-Passw0rd!")
    save(page)


@pytest.fixture
def spare_role(app, db):
    """A role the journey may edit (roles and grants survive between tests)."""
    sm = app.appbuilder.sm
    sm.add_role("宣传员")
    yield "宣传员"
    db.session.rollback()
    db.session.expire_all()
    db.session.delete(sm.find_role("宣传员"))
    db.session.commit()


def test_journey_4_admin_fills_the_deputy_seats_and_edits_a_role(app, db, tree, page,
                                                                 spare_role):
    """An admin creates accounts until 甲社区's four 居委会副主任 seats are full and reads the
    quota message; gives a role a permission in the security screens; finds it in 修改记录."""
    make_user(app, "admin4")
    log_in(page, "admin4")
    open_menu(page, "用户权限", "账号列表")
    shot(page, "journey4-01-account-list")
    for n in range(1, 5):
        _add_account(page, f"deputy{n}", "甲社区", "居委会副主任")
        assert "记录已添加" in flash_text(page), n
    _add_account(page, "deputy5", "甲社区", "居委会副主任")
    assert page.get_by_text("甲社区：居委会副主任名额已满（4/4）").is_visible()
    shot(page, "journey4-02-quota-full-message")

    open_menu(page, "用户权限", "角色列表")
    row = page.locator("table.table-bordered tbody tr", has_text=spare_role)
    with page.expect_navigation():
        row.locator("a[href*='/roles/edit/']").click()
    page.click("#permissions + .select2-container .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "居民：查看")
    page.locator(".select2-results__option", has_text=re.compile("^居民：查看$")).first.click()
    shot(page, "journey4-03-role-permission-added")
    save(page)
    assert "记录已更新" in flash_text(page)

    open_menu(page, "系统设置", "修改记录")
    newest = page.locator("table.table-bordered tbody tr").first.inner_text()
    assert spare_role in newest and "权限：（空） → 居民：查看" in newest
    shot(page, "journey4-04-history-role-change")


# -- journey 5 ------------------------------------------------------------------------------
def test_journey_5_deputy_enrols_two_factor_and_signs_in_with_a_code(app, db, tree, page,
                                                                     monkeypatch):
    """A community deputy (who sees full ID numbers: two-factor required) enrols with the QR
    code the panel draws, signs out, and signs in with a code."""
    monkeypatch.setitem(app.config, "TOTP_ENFORCE", True)
    _seat_holder(app, db, "deputy6", tree[COMMUNITY], ENTRY, "居委会副主任")
    log_in(page, "deputy6")
    assert "/totp/enrol" in page.url
    assert page.locator(".totp-qr svg").count() == 1  # drawn by the panel; the page stays local
    shot(page, "journey5-01-enrol-qr")
    secret = page.inner_text("#totp-secret").strip()
    page.fill("#code", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("button:has-text('完成绑定')")
    assert page.locator("#recovery-codes li").count() == 10
    shot(page, "journey5-02-recovery-codes")
    with page.expect_navigation():
        page.click("a:has-text('我已保存，继续')")

    page.goto("/logout/")
    log_in(page, "deputy6")
    assert "/totp/verify" in page.url
    shot(page, "journey5-03-code-asked")
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))  # each code is accepted once
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/totp" not in page.url and "/login" not in page.url
    shot(page, "journey5-04-signed-in")
    db.session.expire_all()
    last = db.session.scalars(select(LoginEvent).filter_by(username="deputy6")
                              .order_by(LoginEvent.id.desc())).first()
    assert (last.kind, last.detail) == ("login", "两步验证")


# -- layout: no horizontal scrolling at 1366×768 ----------------------------------------------
LISTS = {"resident": "/residentview/list/", "household": "/householdview/list/",
         "account": "/users/list/"}
SEEN_BY = [(ENTRY, COMMUNITY, ("resident", "household")),
           (STREET, STREET_ORG, ("resident", "household")),
           (DISTRICT, DISTRICT_ORG, ("resident", "household")),
           (DISTRICT_ADMIN, DISTRICT_ORG, ("resident", "household", "account")),
           (None, None, ("resident", "household", "account"))]


@pytest.mark.parametrize("role, org, lists", SEEN_BY, ids=lambda v: v if isinstance(v, str)
                         else None)
def test_role_lists_fit_1366_without_horizontal_scrolling(app, db, tree, page, role, org,
                                                          lists):
    for n in range(3):
        home = household(db, tree[COMMUNITY], no=f"长编号-2024-{n:04d}",
                         estate="东丽区张贵庄街道甲社区幸福里小区南区", building="12", unit="3",
                         door="1203")
        resident(db, home, name="欧阳明月", hukou_address="天津市东丽区张贵庄街道幸福里小区")
        _seat_holder(app, db, f"long-account-name-{n}", tree[COMMUNITY], ENTRY, "居委会副主任")
    make_user(app, "viewer", tree[org] if org else None, role)
    log_in(page, "viewer")
    for name in lists:
        page.goto(LISTS[name])
        assert page.locator("table.table-bordered tbody tr").count() >= 3, name
        width = page.evaluate("document.scrollingElement.scrollWidth")
        shot(page, f"layout-{name}-list-{role or 'Admin'}-1366x768")
        assert width <= 1366, (name, role, width)
