"""Every page each role can reach from its menu reads in Chinese: no English UI words.

Pages come from the rendered menu and from every registered view the role may open
(``appbuilder.baseviews``), then one list/show/edit/add page of each view linked from them, so new
screens are crawled as soon as they are registered.
"""
import datetime
import re
from decimal import Decimal

import pytest
from flask import url_for
from werkzeug.routing import BuildError

from app.roles import DEFAULT_ROLES, DISTRICT, DISTRICT_ADMIN, ENTRY, STREET
from tests.conftest import make_user
from tests.crawl import english_words, menu_links, reachable_pages, visible_text
from tests.factories import household, resident

# Latin words a Chinese reader may see: names of things rather than UI words.
ALLOWED = {
    "API", "Excel", "ID", "CSV", "XLSX",
    "GB", "T",          # national standard numbers in code-table names (GB/T 2261.1)
    "English",          # the language menu names the other language in that language
    "Admin", "Public",  # FAB's built-in role names (data in ab_role)
    "Werkzeug",         # the test client's user agent, shown as data in the login log
    "root", "db",       # OS account names recorded as the operator of command-line changes
    "GIF", "JPEG", "PNG", "WebP", "MB",  # file formats and sizes named on the feedback form
    "UTF", "GBK",       # file encodings named on the import page
}
ADMIN = "Admin"
# Pages that act on a record named in the URL (?pk=), reached from that record's page only.
NEEDS_TARGET = {"ResetPasswordView"}
ROLE_ORGS = {ENTRY: "120110001001", STREET: "120110001000", DISTRICT: "120110000000",
             DISTRICT_ADMIN: "120110000000", ADMIN: None}


@pytest.fixture
def records(db, tree):
    """A few households and residents in two communities, so every list has a first row."""
    for code in ("120110001001", "120110002001"):
        home = household(db, tree[code], no=f"H-{code[-4:]}", estate="幸福里", floor_area=86.5)
        resident(db, home, name="张伟", phone="13812345678",
                 status_date=datetime.date(2010, 8, 1))
        resident(db, home, name="李娜", relation="10", male=False)
    return tree


def _user(app, tree, role: str) -> str:
    username = f"crawl{list(ROLE_ORGS).index(role)}"
    code = ROLE_ORGS[role]
    make_user(app, username, tree[code] if code else None, role)
    return username


def _start_urls(app, role_name: str) -> list[str]:
    """The default page of every registered view the role has permission to open."""
    sm = app.appbuilder.sm
    granted = {(pv.permission.name, pv.view_menu.name)
               for pv in sm.find_role(role_name).permissions}
    urls = []
    with app.test_request_context():
        for view in app.appbuilder.baseviews:
            method = getattr(view, "default_view", None)  # APIs have none
            if method is None or view.class_permission_name in NEEDS_TARGET:
                continue
            permission = (view.method_permission_name or {}).get(method, method)
            if ("can_" + permission, view.class_permission_name) not in granted:
                continue
            try:
                urls.append(url_for(f"{view.endpoint}.{method}"))
            except BuildError:  # needs an argument (e.g. a job id): reached through links only
                continue
    return urls


def _crawl(app, b, role: str) -> tuple[dict, dict]:
    home = b.get("/").get_data(as_text=True)

    def get(url):
        response = b.get(url)
        return response.status_code, response.get_data(as_text=True)

    return reachable_pages(get, ["/", *menu_links(home), *_start_urls(app, role)])


@pytest.mark.parametrize("role", [*DEFAULT_ROLES, ADMIN])
def test_every_reachable_page_reads_in_chinese(app, records, browser, role):
    username = _user(app, records, role)
    pages, broken = _crawl(app, browser(username), role)

    assert broken == {}, "links offered to the role that do not open"
    assert "/residentview/list/" in pages and "/users/userinfo/" in pages
    assert any("/residentview/show/" in url for url in pages)
    data = {username, f"{username}@example.test"}
    found = {}
    for url, html in pages.items():
        text = visible_text(html)
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, "")
        if words := english_words(text, ALLOWED):
            found[url] = sorted(words)
    assert found == {}, f"English on {len(found)} of {len(pages)} pages"


def test_login_page_reads_in_chinese(app, browser):
    html = browser().get("/login/").get_data(as_text=True)
    assert "登录" in html
    assert english_words(visible_text(html), ALLOWED) == set()


def test_crawl_sees_tooltips_and_catches_english():
    """The checker itself: tooltips and button captions count, scripts do not."""
    html = ('<a title="Edit record"><i></i></a><input type="submit" value="保存">'
            '<script>var x = "Select";</script><p>居民 ID</p>')
    assert english_words(visible_text(html), ALLOWED) == {"Edit", "record"}


def test_dates_and_numbers_are_shown_as_people_write_them(app, db, records, browser):
    from app.models import Resident

    b = browser(_user(app, records, ADMIN))
    assert "1980-01-01" in visible_text(b.get("/residentview/list/").get_data(as_text=True))
    person = db.session.query(Resident).filter_by(name="张伟").first()
    detail = visible_text(b.get(f"/residentview/show/{person.id}").get_data(as_text=True))
    assert "2010-08-01" in detail and "None" not in detail
    assert re.search(r"创建时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2} ", detail)  # no seconds, no µs
    households = visible_text(b.get("/householdview/list/").get_data(as_text=True))
    assert "记录数: 2" in households
    home = visible_text(b.get(f"/householdview/show/{person.household_id}").get_data(as_text=True))
    assert "86.50" in home


def test_numbers_are_grouped():
    from sqlalchemy import Integer, Numeric

    from app.display import type_format

    assert type_format(Integer())(1234567) == "1,234,567"
    assert type_format(Numeric())(Decimal("12345.50")) == "12,345.50"


def test_job_page_and_progress_read_in_chinese(app, db, tree, browser):
    """Pages reached only through a link with an id (a background job's page) are checked here."""
    from app.models import Job

    username = _user(app, tree, ENTRY)
    user = app.appbuilder.sm.find_user(username)
    job = Job(kind="export", title="导出居民", user_id=user.id, status="done", done=3, total=3)
    db.session.add(job)
    db.session.commit()
    b = browser(username)
    text = visible_text(b.get(f"/jobs/{job.id}/").get_data(as_text=True))
    assert "已完成" in text and english_words(text.replace(username, ""), ALLOWED) == set()
    assert b.get(f"/jobs/{job.id}/status").get_json()["status_name"] == "已完成"
