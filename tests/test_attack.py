"""Attacks on scope, masking, bad input and CSRF, through real HTTP (Flask test client)."""
import datetime
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from app.api import keys
from app.models import ExportLog, Household, Resident
from app.roles import DISTRICT, ENTRY, STREET
from tests.conftest import csrf_token, make_user
from tests.factories import household, resident

JIA, YI, BING = "120110001001", "120110001002", "120110002001"
ZHANG_STREET = "120110001000"
HUGE = "99999999999999999999999"


def export(b, list_url, query="", preset=""):
    page = b.get(f"{list_url}{query}").get_data(as_text=True)
    action = re.search(r'<form class="btn-group toolbar-form"[^>]*?action="([^"]+)"', page)
    assert action, "no export button"
    data = {"csrf_token": csrf_token(page), **({"preset": preset} if preset else {})}
    return b.post(action.group(1).replace("&amp;", "&"), data=data)


def cells(response):
    assert response.status_code == 200, response.status_code
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    return [list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]


def api(b, method, url, key, body=None):
    return b.request(method, url, headers={"X-API-Key": key}, json=body)


@pytest.fixture
def world(app, db, tree):
    make_user(app, "jia", tree[JIA], ENTRY)
    make_user(app, "street", tree[ZHANG_STREET], STREET)
    make_user(app, "district", tree["120110000000"], DISTRICT)
    make_user(app, "bing", tree[BING], ENTRY)
    home = household(db, tree[JIA], no="JIA-1", estate="幸福里", phone="13700001234")
    mine = resident(db, home, name="甲居民", phone="13812345678")
    far = household(db, tree[BING], no="BING-SECRET", estate="丙秘密小区")
    other = resident(db, far, name="丙居民", phone="13900001111")
    return {"mine": mine, "other": other, "home": home, "far": far}


# -- bad input: page numbers ------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    f"/residentview/list/?page_ResidentView={HUGE}",
    f"/householdview/list/?page_HouseholdView={HUGE}",
    f"/historyview/list/?page_HistoryView={HUGE}",
    f"/householdview/picker/?q=&page={HUGE}",
    f"/?org={HUGE}",
    f"/dashboard/export/residents?org={HUGE}",
    "/?org=2147483648",  # just past PostgreSQL's integer: 500 there
    "/residentview/show/2147483648",
    "/residentview/list/?_flt_0_community=2147483648",
])
def test_huge_numbers_in_urls_never_500(app, world, browser, url):
    response = browser("jia").get(url)
    assert response.status_code in (200, 302, 404) or refused_out_of_range(response), (
        url, response.status_code)


def refused_out_of_range(response) -> bool:
    """400 with the Chinese message (app/auth/errors.py), never a 500 or SQL text."""
    page = response.get_data(as_text=True)
    return (response.status_code == 400 and "超出范围" in page
            and "SELECT" not in page and "Traceback" not in page)


def test_huge_row_id_in_show_and_edit_never_500(app, world, browser):
    b = browser("jia")
    for url in (f"/residentview/show/{HUGE}", f"/residentview/edit/{HUGE}",
                f"/householdview/show/{HUGE}"):
        response = b.get(url)
        assert response.status_code == 404 or refused_out_of_range(response), url


def test_huge_api_filter_value_never_500(app, db, world):
    """GET /api/v1/resident/?q=(filters:!((col:community,opr:rel_o_m,value:<huge>)))"""
    from tests.conftest import Browser
    account = db.session.scalar(select(keys.Account).filter_by(username="jia"))
    raw = keys.issue(account, "k", "write")[1]
    b = Browser(app.test_client())
    r = api(b, "GET", f"/api/v1/resident/?q=(page:{HUGE},page_size:10)", raw)
    assert r.status_code == 200  # the page number is clamped
    r = api(b, "GET", f"/api/v1/resident/?q=(filters:!((col:community,opr:rel_o_m,value:{HUGE})))", raw)
    assert r.status_code in (200, 400), r.get_json()


def test_huge_subtree_filter_value_never_500(app, world, browser):
    b = browser("jia")
    response = b.get(f"/residentview/list/?_flt_0_community={HUGE}")
    assert response.status_code == 200 or refused_out_of_range(response)


# -- scope -------------------------------------------------------------------------------------
def test_export_filtered_on_a_foreign_unit_names_it_nowhere(app, db, tree, world, browser):
    """jia exports its resident list with a filter naming 丙社区 (outside its scope): nothing
    of 丙社区 is exported, and neither the file nor 导出记录 names that unit."""
    b = browser("jia")
    foreign = tree[BING].id
    for query in (f"?_flt_0_community={foreign}", f"?_flt_1_community={foreign}"):
        rows = cells(export(b, "/residentview/list/", query))
        assert not any("丙" in str(c) for r in rows for c in r if c), query
    page = b.get("/exportlogview/list/").get_data(as_text=True)
    assert "丙社区" not in page
    db.session.expire_all()
    logs = db.session.scalars(select(ExportLog.filters)).all()
    assert not any("丙社区" in (f or "") for f in logs), logs


def test_dashboard_of_a_foreign_unit_is_404(app, tree, world, browser):
    b = browser("jia")
    assert b.get(f"/?org={tree[BING].id}").status_code == 404
    assert b.get(f"/?org={tree[ZHANG_STREET].id}").status_code == 404  # its parent: above scope
    assert b.get(f"/dashboard/export/residents?org={tree[BING].id}").status_code == 404


def test_picker_never_offers_foreign_households(app, tree, world, browser):
    b = browser("jia")
    for q in ("", "BING", "丙", "%", "_"):
        body = b.get(f"/householdview/picker/?q={q}").get_json()
        assert all(r["id"] != world["far"].id for r in body["results"]), q


# -- masking -----------------------------------------------------------------------------------
def _street_pages(b, world, tree):
    mine = world["mine"]
    return {url: b.get(url).get_data(as_text=True) for url in (
        "/residentview/list/", f"/residentview/show/{mine.id}", "/householdview/list/",
        f"/householdview/show/{mine.household_id}", "/historyview/list/",
        f"/organisationview/show/{tree[JIA].id}")}


@pytest.mark.xfail(strict=True, reason=(
    "known, open: the issue's mask (120110********0019) hides exactly the birth date, which "
    "viewers see in 出生日期 (departments select by age); closing it needs the birth date "
    "shown to the year for masked roles on every path"))
def test_viewer_cannot_rebuild_a_full_id_number_from_what_the_list_shows(app, db, world,
                                                                        browser):
    """The mask 120110********0019 hides exactly the birth date; the same list shows 出生日期 in
    its own column, so a 街道查看 account reads every full ID number off the list page."""
    mine = world["mine"]
    page = browser("street").get("/residentview/list/").get_data(as_text=True)
    masked = re.search(r"(\d{6})\*{8}(\d{3}[\dX])", page)
    born = re.search(r"(\d{4})-(\d{2})-(\d{2})", page)
    assert masked and born
    rebuilt = masked.group(1) + "".join(born.groups()) + masked.group(2)
    assert rebuilt != mine.id_card_no, "full ID number = masked number + 出生日期 column"


def test_viewer_cannot_probe_full_id_numbers_by_prefix_search(app, db, world, browser):
    """A 街道查看 account, shown only 120110********0019, searches 公民身份号码 "starts with" and
    learns the hidden digits one by one (here: confirms the full number)."""
    mine = world["mine"]
    b = browser("street")
    hit = b.get(f"/residentview/list/?_flt_1_id_card_no={mine.id_card_no[:14]}")
    miss_prefix = str((int(mine.id_card_no[13]) + 1) % 10)
    miss = b.get(f"/residentview/list/?_flt_1_id_card_no={mine.id_card_no[:13]}{miss_prefix}")
    found_hit = "甲居民" in hit.get_data(as_text=True)
    found_miss = "甲居民" in miss.get_data(as_text=True)
    assert not (found_hit and not found_miss), "prefix search is an oracle for masked digits"


def test_viewer_cannot_probe_phones_by_search(app, db, world, browser):
    b = browser("street")
    hit = b.get("/residentview/list/?_flt_0_phone=1381234").get_data(as_text=True)
    miss = b.get("/residentview/list/?_flt_0_phone=1381299").get_data(as_text=True)
    assert not ("甲居民" in hit and "甲居民" not in miss), "phone search reveals masked digits"


def test_history_and_pages_mask_for_viewers(app, db, tree, world, browser):
    """jia changes the phone and ID number of its resident on the screen; the street viewer
    finds neither full value anywhere: lists, pages, history, exports."""
    from tests.factories import id_number
    mine = world["mine"]
    jia = browser("jia")
    new_id = id_number(datetime.date(1975, 5, 5))
    form = jia.get(f"/residentview/edit/{mine.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "name": "甲居民", "id_card_no": new_id,
            "household": str(mine.household_id), "relation": "02", "ethnic": "01",
            "residence_status": "1", "status": "active", "phone": "13655556666",
            "version": re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
            if re.search(r'name="version"[^>]*value="(\d+)"', form) else "1"}
    r = jia.post(f"/residentview/edit/{mine.id}", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    b = browser("street")
    secrets = {"13812345678", "13655556666", "13700001234", new_id, mine.id_card_no}
    for url, body in _street_pages(b, world, tree).items():
        assert not {s for s in secrets if s in body}, url
    for url in ("/residentview/list/", "/historyview/list/", "/householdview/list/"):
        got = {str(c) for r in cells(export(b, url)) for c in r if c}
        assert not {s for s in secrets if any(s in c for c in got)}, url


# -- data integrity: a household moved to another community ------------------------------------
def test_moving_a_household_moves_its_residents_scope(app, db, tree, world, browser):
    """Admin moves 户 JIA-1 from 甲社区 to 乙社区 on the edit screen. Its residents must follow
    (Resident.community_id scopes them): else 甲社区 keeps seeing and editing people of a
    household of 乙社区, and 乙社区 never sees the members of its own household."""
    make_user(app, "admin1")
    make_user(app, "yi", tree[YI], ENTRY)
    home = world["home"]
    admin = browser("admin1")
    form = admin.get(f"/householdview/edit/{home.id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form)
    data = {"csrf_token": csrf_token(form), "household_no": "JIA-1", "household_type": "1",
            "community": str(tree[YI].id), "status": "active",
            **({"version": version.group(1)} if version else {})}
    response = admin.post(f"/householdview/edit/{home.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Household, home.id).community_id == tree[YI].id
    member = db.session.get(Resident, world["mine"].id)
    assert member.community_id == tree[YI].id, "resident left behind in 甲社区"
    assert "甲居民" in browser("yi").get("/residentview/list/").get_data(as_text=True)
    assert browser("jia").get(f"/residentview/show/{member.id}").status_code == 404


# -- bad input on the forms -------------------------------------------------------------------
def _add_resident(b, home, **fields):
    form = b.get("/residentview/add").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "name": "新人", "household": str(home.id),
            "relation": "10", "ethnic": "01", "residence_status": "1", "status": "active",
            **fields}
    return b.post("/residentview/add", data=data)


@pytest.mark.parametrize("field,value", [
    ("birth_date", "2010-02-30"), ("birth_date", "abc"), ("status_date", "2010-13-01"),
])
def test_bad_dates_get_chinese_messages(app, db, world, browser, field, value):
    from tests.factories import id_number
    extra = {"id_card_no": id_number(datetime.date(2010, 2, 1))}
    response = _add_resident(browser("jia"), world["home"], **extra, **{field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a valid" not in body and "not a valid" not in body.lower(), field


@pytest.mark.parametrize("kind", ["lower_x", "full_width", "spaces", "fifteen"])
def test_id_numbers_as_people_type_them(app, db, world, browser, kind):
    from app.idcard import check_digit
    body = "12011019800101" + "123"
    number = body + check_digit(body)
    if number[-1] != "X":  # find one ending in X for the lower-case case
        for seq in range(100, 999):
            body = f"12011019800101{seq:03d}"
            if check_digit(body) == "X":
                number = body + "X"
                break
    typed = {"lower_x": number.lower(),
             "full_width": "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number),
             "spaces": f" {number[:6]} {number[6:14]} {number[14:]} ",
             "fifteen": "130102550101987"}[kind]  # no factory makes this one
    response = _add_resident(browser("jia"), world["home"], id_card_no=typed)
    assert response.status_code == 302, re.findall(r'class="[^"]*(?:error|danger)[^"]*"[^>]*>([^<]+)',
                                                    response.get_data(as_text=True))
    db.session.expire_all()
    stored = db.session.scalar(select(Resident.id_card_no).where(Resident.name == "新人"))
    assert stored and len(stored) == 18 and stored == stored.upper()


@pytest.mark.parametrize("field,value", [("floor_area", "abc"), ("floor_area", "1e400"),
                                         ("floor_area", "99999999999999999999"),
                                         ("rooms", "99999999999"), ("rooms", "-5"),
                                         ("floor_area", "NaN")])
def test_household_numbers_get_chinese_messages(app, db, tree, world, browser, field, value):
    b = browser("jia")
    form = b.get("/householdview/add").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "household_no": "NUM-1", "household_type": "1",
            "community": str(tree[JIA].id), "status": "active", field: value}
    response = b.post("/householdview/add", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 302)
    assert "Not a valid" not in body and "Number must" not in body, (field, value)
    if response.status_code == 302:  # accepted: the stored value is a real number
        db.session.expire_all()
        stored = db.session.scalar(select(getattr(Household, field))
                                   .where(Household.household_no == "NUM-1"))
        assert stored is None or stored == stored, (field, value, stored)  # not NaN


# -- CSRF ------------------------------------------------------------------------------------
def _post_routes(app):
    out = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(r"<(?:[^:<>]+:)?%s>" % arg, "1", url)
        out.append(url)
    return sorted(set(out))


def test_every_post_route_refuses_a_session_without_csrf_token(app, db, tree, world, browser):
    """Signed in as Admin (every permission), a POST without the CSRF token changes nothing and
    is refused with 400 on every route (screens and the API called with the session cookie)."""
    from tests.test_scope import fingerprint
    make_user(app, "admin1")
    b = browser("admin1")
    before = fingerprint(db)
    accepted = {}
    for url in _post_routes(app):
        if url in ("/login/",):
            continue
        response = b.client.open(url, method="POST", data={"name": "x", "action": "x"})
        if response.status_code != 400:
            accepted[url] = response.status_code
    assert fingerprint(db) == before
    assert not accepted, accepted


def test_api_with_session_and_a_bogus_key_header_is_not_a_csrf_bypass(app, db, world, browser):
    """A presented (even invalid) key switches the API's CSRF check off; the session cookie
    must then not be used instead."""
    b = browser("jia")
    for headers in ({"X-API-Key": "nonsense"}, {"Authorization": "Bearer ck_nonsense"}):
        r = b.request("PUT", f"/api/v1/household/{world['home'].id}", headers=headers,
                      json={"estate": "被改了"})
        assert r.status_code == 401, (headers, r.status_code)
    db.session.expire_all()
    assert db.session.get(Household, world["home"].id).estate == "幸福里"


def test_read_only_key_writes_nothing_anywhere(app, db, world):
    from tests.conftest import Browser
    account = db.session.scalar(select(keys.Account).filter_by(username="jia"))
    raw = keys.issue(account, "ro", "read")[1]
    b = Browser(app.test_client())
    home = world["home"]
    assert api(b, "PUT", f"/api/v1/household/{home.id}", raw, {"estate": "x"}).status_code == 403
    assert api(b, "POST", "/api/v1/household/", raw, {"household_no": "RO", "community": home.community_id,
                                                     "household_type": "1"}).status_code == 403
    assert api(b, "DELETE", f"/api/v1/resident/{world['mine'].id}", raw).status_code == 403
    # the key does not open the screens either
    assert b.request("GET", "/residentview/list/", headers={"X-API-Key": raw}).status_code in (302, 401, 403)
    r = api(b, "GET", f"/api/v1/resident/{world['mine'].id}", raw)
    assert r.status_code == 200


# -- the API: scope through filters, related and writes -----------------------------------------
@pytest.fixture
def street_key(app, db, world):
    account = db.session.scalar(select(keys.Account).filter_by(username="street"))
    return keys.issue(account, "st", "read")[1]


def test_api_filters_on_foreign_ids_return_nothing_foreign(app, db, tree, world, street_key):
    from tests.conftest import Browser
    b = Browser(app.test_client())
    far = world["far"]
    for q in (f"(filters:!((col:community,opr:rel_o_m,value:{tree[BING].id})))",
              f"(filters:!((col:community,opr:in_org,value:{tree[BING].id})))",
              f"(filters:!((col:community,opr:in_org,value:{tree['120110000000'].id})))",
              "(filters:!((col:name,opr:ct,value:'%')))",
              "(order_column:community,order_direction:asc)",
              "(order_column:id_card_no,order_direction:asc)"):
        r = api(b, "GET", f"/api/v1/resident/?q={q}", street_key)
        assert r.status_code in (200, 400), (q, r.status_code)
        if r.status_code == 200:
            body = r.get_data(as_text=True)
            assert "丙居民" not in body and "丙社区" not in body, q
    r = api(b, "GET", f"/api/v1/household/?q=(filters:!((col:community,opr:rel_o_m,value:{far.community_id})))",
            street_key)
    assert "BING-SECRET" not in r.get_data(as_text=True)


def test_api_masks_for_viewers_in_list_show_and_info(app, db, world, street_key):
    from tests.conftest import Browser
    b = Browser(app.test_client())
    mine = world["mine"]
    for url in ("/api/v1/resident/", f"/api/v1/resident/{mine.id}", "/api/v1/household/",
                f"/api/v1/household/{mine.household_id}", "/api/v1/resident/_info",
                "/api/v1/resident/?q=(columns:!(id_card_no,phone,id_card_original))",
                f"/api/v1/resident/{mine.id}?q=(columns:!(id_card_no,phone))"):
        body = api(b, "GET", url, street_key).get_data(as_text=True)
        assert mine.id_card_no not in body and "13812345678" not in body, url


def test_entry_cannot_write_a_foreign_row_through_the_api(app, db, tree, world):
    from tests.conftest import Browser
    account = db.session.scalar(select(keys.Account).filter_by(username="jia"))
    raw = keys.issue(account, "w", "write")[1]
    b = Browser(app.test_client())
    mine, far = world["mine"], world["far"]
    r = api(b, "PUT", f"/api/v1/resident/{mine.id}", raw, {"household": far.id})
    assert r.status_code == 403
    r = api(b, "POST", "/api/v1/resident/", raw, {"name": "潜入", "id_card_no": "120110198001010011",
                                                 "household": far.id, "relation": "10"})
    assert r.status_code in (403, 422)
    r = api(b, "PUT", f"/api/v1/household/{mine.household_id}", raw, {"community": tree[BING].id})
    assert r.status_code == 403
    db.session.expire_all()
    assert db.session.get(Resident, mine.id).household_id == mine.household_id


@pytest.mark.parametrize("url,column", [("/residentview/list/", "community"),
                                        ("/householdview/list/", "community"),
                                        ("/historyview/list/", "organisation"),
                                        ("/organisationview/list/", "parent")])
def test_list_filtered_on_a_foreign_unit_does_not_echo_its_name(app, tree, world, browser,
                                                               url, column):
    b = browser("jia")
    for index in range(3):
        response = b.get(f"{url}?_flt_{index}_{column}={tree[BING].id}")
        assert response.status_code == 200
        assert "丙社区" not in response.get_data(as_text=True), (url, index)


# -- formula-like text stays text in every file the panel writes --------------------------------
FORMULA = "=cmd|' /C calc'!A0"


def test_formula_text_is_text_in_history_and_seat_and_dashboard_exports(app, db, tree, world,
                                                                       browser):
    jia = browser("jia")
    form = jia.get(f"/householdview/edit/{world['home'].id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form)
    r = jia.post(f"/householdview/edit/{world['home'].id}", data={
        "csrf_token": csrf_token(form), "household_no": "+SUM(1)", "household_type": "1",
        "community": str(tree[JIA].id), "estate": FORMULA, "status": "active",
        **({"version": version.group(1)} if version else {})})
    assert r.status_code == 302
    for url in ("/householdview/list/", "/historyview/list/"):
        response = export(jia, url)
        wb = openpyxl.load_workbook(io.BytesIO(response.data))
        values = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert not any(c.data_type == "f" for c in values), url
        texts = {c.value for c in values}
        assert FORMULA in texts or "+SUM(1)" in texts, url


def test_unknown_pages_answer_in_chinese(app, world, browser):
    for b in (browser("jia"), app.test_client()):
        response = b.get("/no/such/page/")
        page = response.get_data(as_text=True)
        assert response.status_code == 404 and "页面不存在" in page and "Not Found" not in page
