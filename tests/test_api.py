"""Department API: keys (read-only enforced, revocable, expiring), scope on reads and writes,
masking, page-size cap, Chinese refusals, CSRF for cookie callers, the change history of API writes,
the OpenAPI description and the local Swagger page. Every role × route × inside/outside is in the
permission matrix (tests/test_scope.py); the schema-based property test is tests/test_api_schema.py.
"""
import datetime

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, insert, select

from app.api import keys
from app.models import ApiKey, ChangeRecord, Household, Resident
from app.roles import ENTRY, STREET
from tests.conftest import Browser, csrf_token, make_user
from tests.factories import household, id_number, resident

INSIDE, OUTSIDE = "120110001001", "120111001001"


class Caller:
    """A program calling the API with a key (each request in its own app context)."""

    def __init__(self, app, raw_key=None, header="Authorization"):
        self.client = Browser(app.test_client())
        self.headers = ({} if raw_key is None else
                        {"Authorization": f"Bearer {raw_key}"} if header == "Authorization"
                        else {"X-API-Key": raw_key})

    def __call__(self, method, url, body=None, **kw):
        if body is not None:
            kw["json"] = body
        return self.client.request(method, url, headers=self.headers, **kw)


def key_for(app, db, username, org, role, access="write", **kw):
    account = make_user(app, username, org, role)
    _key, raw = keys.issue(db.session.merge(account), "测试", access, **kw)
    return raw


@pytest.fixture
def entry(app, db, wide_tree):
    return Caller(app, key_for(app, db, "entry1", wide_tree[INSIDE], ENTRY))


def rows(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


def history(db, model, action):
    db.session.expire_all()
    return db.session.scalars(select(ChangeRecord).where(
        ChangeRecord.model == model, ChangeRecord.action == action)
        .order_by(ChangeRecord.id)).all()


def test_reads_are_scoped_and_masked_by_the_keys_account(app, db, wide_tree, entry):
    mine = resident(db, household(db, wide_tree[INSIDE], no="IN1"), name="甲居民", phone="13812345678")
    other = resident(db, household(db, wide_tree[OUTSIDE], no="OUT1"), name="外居民")
    listed = rows(entry("GET", "/api/v1/resident/"))
    assert [r["name"] for r in listed] == ["甲居民"]
    assert listed[0]["id_card_no"] == mine.id_card_no  # 社区录入 may see full numbers
    assert listed[0]["household"] == {"id": mine.household_id, "name": str(mine.household)}
    assert entry("GET", f"/api/v1/resident/{other.id}").status_code == 404
    viewer = Caller(app, key_for(app, db, "street1", wide_tree["120110001000"], STREET,
                                 access="read"), header="X-API-Key")
    shown = viewer("GET", f"/api/v1/resident/{mine.id}").get_json()["result"]
    assert shown["id_card_no"] != mine.id_card_no and "*" in shown["id_card_no"]
    assert "*" in shown["phone"]
    households = rows(viewer("GET", "/api/v1/household/"))
    assert {h["household_no"] for h in households} == {"IN1"}


def test_page_size_is_capped_at_100(app, db, wide_tree, entry):
    db.session.execute(insert(Household), [
        {"household_no": f"P{n:03d}", "community_id": wide_tree[INSIDE].id, "status": "active",
         "version": 1} for n in range(105)])
    db.session.commit()
    q = "(page:0,page_size:1000)"
    response = entry("GET", f"/api/v1/household/?q={q}")
    assert len(rows(response)) == 100 and response.get_json()["count"] == 105


def test_api_writes_are_recorded_with_the_keys_account_and_old_new(app, db, wide_tree, entry):
    community = wide_tree[INSIDE]
    made = entry("POST", "/api/v1/household/", {"household_no": "API-1", "household_type": "1",
                                                 "community": community.id, "estate": "幸福里",
                                                 "status": "active"})
    assert made.status_code == 201, made.get_json()
    pk = made.get_json()["id"]
    (created,) = history(db, "Household", "create")
    assert created.username == "entry1" and created.object_id == pk
    assert ["estate", None, "幸福里"] in created.changes
    changed = entry("PUT", f"/api/v1/household/{pk}", {"estate": "和平里"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["result"]["household_no"] == "API-1"  # untouched fields kept
    (updated,) = history(db, "Household", "update")
    assert updated.username == "entry1" and updated.changes == [["estate", "幸福里", "和平里"]]
    assert entry("DELETE", f"/api/v1/household/{pk}").status_code == 403  # 社区录入 keeps records
    admin = Caller(app, key_for(app, db, "admin1", None, "Admin"))
    assert admin("DELETE", f"/api/v1/household/{pk}").status_code == 200
    (deleted,) = history(db, "Household", "delete")
    assert deleted.username == "admin1" and ["estate", "和平里", None] in deleted.changes


def test_resident_rules_answer_in_chinese_and_write_nothing(app, db, wide_tree, entry):
    home = household(db, wide_tree[INSIDE], no="R1")
    bad = entry("POST", "/api/v1/resident/", {"name": "张三", "id_card_no": "120110198001011234",
                                               "household": home.id, "status": "active"})
    assert bad.status_code == 422 and "公民身份号码" in bad.get_json()["message"]
    number = id_number(datetime.date(1980, 1, 1), male=True)
    wrong_sex = entry("POST", "/api/v1/resident/", {"name": "张三", "id_card_no": number,
                                                     "sex": "2", "household": home.id})
    assert wrong_sex.status_code == 422 and "性别与公民身份号码不符" in wrong_sex.get_json()["message"]
    unknown = entry("POST", "/api/v1/resident/", {"name": "张三", "password": "x"})
    assert unknown.status_code == 422 and "不能填写的字段：password" in unknown.get_json()["message"]
    not_json = entry("POST", "/api/v1/resident/", data="name=1")
    assert not_json.status_code == 400 and "JSON" in not_json.get_json()["message"]
    good = entry("POST", "/api/v1/resident/", {"name": "张三", "id_card_no": number,
                                                "household": home.id, "relation": "02",
                                                "status": "active"})
    assert good.status_code == 201, good.get_json()
    assert good.get_json()["result"]["sex"] == "1"  # derived from the number, as on the screen
    assert db.session.scalar(select(func.count()).select_from(Resident)) == 1


def test_writes_placing_a_row_outside_the_scope_are_refused(app, db, wide_tree, entry):
    mine = household(db, wide_tree[INSIDE], no="M1")
    theirs = household(db, wide_tree[OUTSIDE], no="T1")
    into = entry("POST", "/api/v1/household/", {"household_no": "X1",
                                                 "community": wide_tree[OUTSIDE].id})
    assert into.status_code == 403 and "管辖范围" in into.get_json()["message"]
    moved = entry("PUT", f"/api/v1/household/{mine.id}", {"community": wide_tree[OUTSIDE].id})
    assert moved.status_code == 403
    assert entry("PUT", f"/api/v1/household/{theirs.id}", {"estate": "x"}).status_code == 404
    assert entry("DELETE", f"/api/v1/household/{theirs.id}").status_code == 403  # no can_delete
    person = entry("POST", "/api/v1/resident/", {"name": "李四", "id_card_no": id_number(),
                                                  "household": theirs.id})
    assert person.status_code == 403
    db.session.expire_all()
    assert db.session.get(Household, mine.id).community_id == wide_tree[INSIDE].id
    assert db.session.scalar(select(func.count()).select_from(Household)) == 2
    assert not history(db, "Household", "update") and not history(db, "Resident", "create")


def test_a_get_gives_the_version_a_put_sends_back_and_info_describes_fields(app, db, wide_tree,
                                                                           entry):
    made = entry("POST", "/api/v1/household/", {"household_no": "API-V", "household_type": "1",
                                                 "community": wide_tree[INSIDE].id,
                                                 "status": "active"})
    pk = made.get_json()["id"]
    version = entry("GET", f"/api/v1/household/{pk}").get_json()["result"]["version"]
    assert entry("PUT", f"/api/v1/household/{pk}",
                 {"estate": "甲", "version": version + 1}).status_code == 409
    assert entry("PUT", f"/api/v1/household/{pk}",
                 {"estate": "甲", "version": version}).status_code == 200
    info = entry("GET", "/api/v1/household/_info").get_json()
    descriptions = {f["name"]: f["description"] for f in info["add_columns"]}
    assert descriptions["household_no"] == "户编号"
    assert not any("Project-Id-Version" in d for d in descriptions.values())


def test_related_pickers_offer_only_rows_in_scope(app, db, wide_tree, entry):
    mine = household(db, wide_tree[INSIDE], no="M1")
    household(db, wide_tree[OUTSIDE], no="T1")
    offered = entry("GET", "/api/v1/resident/related/household").get_json()
    assert offered["count"] == 1 and [r["id"] for r in offered["result"]] == [mine.id]
    communities = entry("GET", "/api/v1/household/related/community").get_json()["result"]
    assert [c["id"] for c in communities] == [wide_tree[INSIDE].id]
    info = entry("GET", "/api/v1/household/_info").get_json()
    field = next(f for f in info["add_columns"] if f["name"] == "community")
    assert [v["id"] for v in field["values"]] == [wide_tree[INSIDE].id]
    assert entry("GET", "/api/v1/household/related/nothing").status_code == 404


def test_read_only_key_can_read_but_not_write(app, db, wide_tree):
    reader = Caller(app, key_for(app, db, "entry2", wide_tree[INSIDE], ENTRY, access="read"))
    mine = household(db, wide_tree[INSIDE], no="M1")
    assert rows(reader("GET", "/api/v1/household/"))
    assert reader("POST", "/api/v1/household/", {"household_no": "X"}).status_code == 403
    assert reader("PUT", f"/api/v1/household/{mine.id}", {"estate": "x"}).status_code == 403
    assert reader("DELETE", f"/api/v1/household/{mine.id}").status_code == 403
    assert "can_write" not in reader("GET", "/api/v1/household/_info").get_json()["permissions"]
    db.session.expire_all()
    assert db.session.get(Household, mine.id).estate is None


def test_unknown_revoked_and_expired_keys_are_refused(app, db, wide_tree):
    raw = key_for(app, db, "entry3", wide_tree[INSIDE], ENTRY)
    assert Caller(app, raw)("GET", "/api/v1/household/").status_code == 200
    assert Caller(app, "ck_not-a-key")("GET", "/api/v1/household/").status_code == 401
    assert Caller(app)("GET", "/api/v1/household/").status_code == 401
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == keys.hash_key(raw)))
    assert key.key_hash != raw and raw not in repr(key)  # stored hashed
    keys.revoke(key)
    db.session.commit()
    refused = Caller(app, raw)("GET", "/api/v1/household/")
    assert refused.status_code == 401 and "吊销" in refused.get_json()["message"]
    old = key_for(app, db, "entry4", wide_tree[INSIDE], ENTRY,
                  expires_on=datetime.datetime.now() - datetime.timedelta(seconds=1))
    assert Caller(app, old)("GET", "/api/v1/household/").status_code == 401


def test_session_cookie_writes_need_the_csrf_token(app, db, wide_tree, login_as):
    make_user(app, "entry5", wide_tree[INSIDE], ENTRY)
    b = login_as("entry5")
    body = {"household_no": "C1", "community": wide_tree[INSIDE].id,
            "status": "active"}
    refused = b.post("/api/v1/household/", json=body)
    assert refused.status_code == 400 and "安全令牌" in refused.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0
    token = csrf_token(b.get("/householdview/add").get_data(as_text=True))
    made = b.post("/api/v1/household/", json=body, headers={"X-CSRFToken": token})
    assert made.status_code == 201, made.get_json()


def test_no_key_is_refused_in_chinese(app, db):
    response = app.test_client().get("/api/v1/resident/")
    assert response.status_code == 401 and "接口密钥" in response.get_json()["message"]


def test_no_jwt_login(app, db, wide_tree):
    make_user(app, "entry6", wide_tree[INSIDE], ENTRY)
    response = Caller(app)("POST", "/api/v1/security/login",
                           {"username": "entry6", "password": "Test-Passw0rd!", "provider": "db"})
    assert response.status_code == 404


def test_openapi_description_validates_and_names_the_key_schemes(app, db, wide_tree, entry):
    spec = entry("GET", "/api/v1/_openapi").get_json()
    validate(spec)
    assert set(spec["components"]["securitySchemes"]) == {"api_key", "api_key_header"}
    paths = set(spec["paths"])
    assert {"/resident/", "/household/{pk}", "/organisation/related/{column_name}"} <= {
        p.removeprefix("/api/v1") for p in paths}
    assert not any("security/login" in p for p in paths)


def test_swagger_page_uses_only_local_assets(app, db, login_as):
    make_user(app, "admin1")
    html = login_as("admin1").get("/swagger/v1").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html and "validatorUrl: null" in html
    for attribute in ("src=", "href="):
        for value in html.split(attribute)[1:]:
            assert not value.strip("\"'").startswith(("http:", "https:", "//")), value[:80]


def test_apikeys_command_creates_lists_and_revokes(app, db, wide_tree):
    make_user(app, "dept1", wide_tree["120110000000"], STREET)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["apikeys", "create", "dept1", "--read-write",
                               "--expires", "2099-12-31"])
    assert made.exit_code == 0, made.output
    raw = made.output.strip().splitlines()[-1]
    assert raw.startswith("ck_")
    listed = runner.invoke(args=["apikeys", "list", "dept1"]).output
    assert "读写" in listed and "有效" in listed and raw not in listed
    assert Caller(app, raw)("GET", "/api/v1/organisation/").status_code == 200
    key_id = listed.split("\t", 1)[0]
    assert runner.invoke(args=["apikeys", "revoke", key_id]).exit_code == 0
    assert Caller(app, raw)("GET", "/api/v1/organisation/").status_code == 401
    assert runner.invoke(args=["apikeys", "create", "nobody"]).exit_code == 1
    history = db.session.scalars(select(ChangeRecord).where(ChangeRecord.model == "ApiKey")
                                 .order_by(ChangeRecord.id)).all()
    assert [h.action for h in history] == ["create", "update"]
    assert raw not in str([h.changes for h in history])
    assert [name for name, _old, _new in history[1].changes] == ["revoked_on"]


def test_key_screen_revokes_keys_of_managed_accounts(app, db, wide_tree, login_as):
    from app.roles import DISTRICT_ADMIN

    raw = key_for(app, db, "entry7", wide_tree[INSIDE], ENTRY)
    make_user(app, "manager1", wide_tree["120110000000"], DISTRICT_ADMIN)
    b = login_as("manager1")
    assert "entry7" in b.get("/apikeyview/list/").get_data(as_text=True)
    key = db.session.scalar(select(ApiKey))
    token = csrf_token(b.get("/resetmypassword/form").get_data(as_text=True))
    response = b.post("/apikeyview/action_post", data={"action": "revoke", "rowid": key.id,
                                                       "csrf_token": token})
    assert response.status_code == 302
    assert Caller(app, raw)("GET", "/api/v1/household/").status_code == 401


def test_numbers_beyond_the_database_range_are_refused_not_crashed(app, db, wide_tree, entry):
    big = 10 ** 20
    assert entry("GET", f"/api/v1/household/{big}").status_code == 404
    assert entry("PUT", f"/api/v1/household/{big}", {"estate": "x"}).status_code == 404
    assert entry("PUT", "/api/v1/household/abc", {"estate": "x"}).status_code == 404
    home = entry("POST", "/api/v1/household/", {"household_no": "B1", "status": "active",
                                                 "community": wide_tree[INSIDE].id,
                                                 "rooms": big})
    assert home.status_code == 422, home.get_json()
    person = entry("POST", "/api/v1/resident/", {"name": "王五", "id_card_no": id_number(),
                                                  "household": big, "status": "active"})
    assert person.status_code == 422, person.get_json()


def test_negative_or_enormous_pages_answer_an_empty_page(app, db, wide_tree, entry):
    household(db, wide_tree[INSIDE], no="N1")
    for page in (-1, 10 ** 20):
        response = entry("GET", f"/api/v1/household/?q=(page:{page},page_size:10)")
        assert response.status_code == 200 and response.get_json()["count"] == 1
        related = entry("GET", f"/api/v1/household/related/community?q=(page:{page})")
        assert related.status_code in (200, 400)
