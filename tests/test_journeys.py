"""The users' own journeys in a real browser (issue 9), one test per journey, in Chinese.

Each journey logs in as the role that does the work, uses only what is on the screen (menus,
buttons, select boxes, the date picker) and keeps screenshots of its key screens in
test-artifacts/. Steps that need a feature not yet built look for its control at run time and skip
with the reason, so they start running when the feature lands.
"""
import re

import pytest

from app.idcard import make_id_number
from app.models import Resident
from app.roles import ENTRY
from tests.conftest import make_user
from tests.factories import household, resident
from tests.live import choose, flash_text, log_in, open_menu, save, shot

pytestmark = pytest.mark.browser

COMMUNITY = "120110001001"  # 甲社区
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
    members = page.locator(".tab-pane.active").inner_text()
    assert all(name in members for name in ("王建国", "李秀英", "王小明"))
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
