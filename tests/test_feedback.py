"""问题反馈: any account reports (page prefilled, screenshot checked and stored); the reporter sees
the status of their own reports only; managers of the scope assign and close."""
import io
import struct
import zlib

from sqlalchemy import select

from app.models import Feedback
from app.roles import DISTRICT_ADMIN, ENTRY, STREET
from tests.conftest import csrf_token, make_user


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def report(b, title="导出按钮无反应", screenshot=None, referrer="/residentview/list/?page=2"):
    page = b.get("/feedbackview/add", headers={"Referer": f"http://localhost{referrer}"})
    html = page.get_data(as_text=True)
    data = {"title": title, "description": "点击导出后没有下载", "csrf_token": csrf_token(html),
            "page_url": referrer}
    if screenshot is not None:
        data["screenshot"] = (io.BytesIO(screenshot[1]), screenshot[0])
    return html, b.post("/feedbackview/add", data=data, content_type="multipart/form-data")


def reports(db):
    db.session.expire_all()
    return db.session.scalars(select(Feedback).order_by(Feedback.id)).all()


def test_any_account_reports_with_page_and_screenshot(app, db, tree, browser):
    community = tree["120110001001"]
    user = make_user(app, "entry", community, ENTRY)
    b = browser("entry")
    form, response = report(b, screenshot=("屏幕.png", png_bytes()))
    assert 'value="/residentview/list/?page=2"' in form  # the page came from the referrer
    assert response.status_code == 302
    (saved,) = reports(db)
    assert (saved.reporter_id, saved.organisation_id, saved.status) == (user.id, community.id,
                                                                       "open")
    assert saved.page_url == "/residentview/list/?page=2"
    stored = app.config["FEEDBACK_DIR"] / saved.screenshot
    assert stored.read_bytes() == png_bytes() and saved.screenshot.endswith(".png")
    listing = b.get("/feedbackview/list/").get_data(as_text=True)
    assert "导出按钮无反应" in listing and "待处理" in listing
    image = b.get(f"/feedbackview/screenshot/{saved.screenshot}")
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_screenshot_must_be_a_small_image(app, db, tree, browser):
    make_user(app, "entry", tree["120110001001"], ENTRY)
    b = browser("entry")
    _form, response = report(b, screenshot=("伪装.png", b"#!/bin/sh\necho not an image\n"))
    assert "截图只接受 PNG、JPEG、GIF 或 WebP 图片" in response.get_data(as_text=True)
    app.config["FEEDBACK_MAX_BYTES"] = 50
    try:
        _form, response = report(b, screenshot=("大.png", png_bytes() + b"\0" * 100))
    finally:
        app.config["FEEDBACK_MAX_BYTES"] = 5 * 1024 * 1024
    assert "截图过大" in response.get_data(as_text=True)
    assert reports(db) == []


def test_reporters_see_only_their_own_reports(app, db, tree, browser):
    make_user(app, "entry", tree["120110001001"], ENTRY)
    make_user(app, "other", tree["120110001001"], ENTRY)
    report(browser("entry"), title="我的问题", screenshot=("a.png", png_bytes()))
    (mine,) = reports(db)
    other = browser("other")
    assert "我的问题" not in other.get("/feedbackview/list/").get_data(as_text=True)
    assert other.get(f"/feedbackview/show/{mine.id}").status_code == 404
    assert other.get(f"/feedbackview/screenshot/{mine.screenshot}").status_code == 404
    assert other.get(f"/feedbackview/edit/{mine.id}").status_code == 403


def test_district_admin_assigns_and_closes_within_scope_and_reporter_sees_status(
        app, db, tree, browser):
    make_user(app, "entry", tree["120110001001"], ENTRY)
    manager = make_user(app, "district", tree["120110000000"], DISTRICT_ADMIN)
    helper = make_user(app, "helper", tree["120110001000"], STREET)
    outsider = make_user(app, "city", tree["120000000000"], STREET)
    report(browser("entry"), title="社区的问题")
    report(browser("city"), title="市里的问题")
    mine, city = reports(db)

    b = browser("district")
    listing = b.get("/feedbackview/list/").get_data(as_text=True)
    assert "社区的问题" in listing and "市里的问题" not in listing
    assert b.get(f"/feedbackview/edit/{city.id}").status_code == 404
    edit_url = f"/feedbackview/edit/{mine.id}"
    refused = b.submit(edit_url, {"status": "open", "assignee": str(outsider.id)})
    assert refused.status_code == 200 and reports(db)[0].assignee_id is None
    b.submit(edit_url, {"status": "open", "assignee": str(helper.id), "response": "已转交"})
    assert (reports(db)[0].status, reports(db)[0].assignee_id) == ("assigned", helper.id)
    b.submit(edit_url, {"status": "closed", "assignee": str(helper.id), "response": "已修复"})
    closed = reports(db)[0]
    assert closed.status == "closed" and closed.closed_on is not None

    reporter_view = browser("entry").get(f"/feedbackview/show/{mine.id}").get_data(as_text=True)
    assert "已关闭" in reporter_view and "已修复" in reporter_view
    assert manager.id != helper.id


def test_managers_take_and_close_by_action_reporters_cannot(app, db, tree, browser):
    make_user(app, "entry", tree["120110001001"], ENTRY)
    manager = make_user(app, "district", tree["120110000000"], DISTRICT_ADMIN)
    report(browser("entry"))
    (item,) = reports(db)
    entry = browser("entry")
    entry.submit("/feedbackview/add", {"action": "close", "rowid": [str(item.id)]},
                 post_url="/feedbackview/action_post")
    assert reports(db)[0].status == "open"
    b = browser("district")
    b.submit("/feedbackview/add", {"action": "take", "rowid": [str(item.id)]},
             post_url="/feedbackview/action_post")
    assert (reports(db)[0].status, reports(db)[0].assignee_id) == ("assigned", manager.id)
    b.submit("/feedbackview/add", {"action": "close", "rowid": [str(item.id)]},
             post_url="/feedbackview/action_post")
    assert reports(db)[0].status == "closed"


def test_every_default_role_has_the_report_menu(app, db, tree, browser):
    make_user(app, "street", tree["120110001000"], STREET)
    page = browser("street").get("/").get_data(as_text=True)
    assert "我要反馈" in page and "/feedbackview/add" in page
