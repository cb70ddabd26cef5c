"""The catalogues are complete: every FAB string has Chinese, every project string has English, and
babel/fab_overrides wins over FAB's own catalogue (FAB_NOTES hazard 16)."""
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import BABEL_DIR, CHINESE, extract_messages

FAB_DIR = Path(flask_appbuilder.__file__).parent
FAB_KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "__": None,
                "lazy_formatter_gettext": (1,)}


def _catalogue(path: Path) -> dict[str, str]:
    """{msgid: translation} of the messages a compiled catalogue would contain."""
    with path.open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id and m.string and not m.fuzzy}


@pytest.fixture(scope="module")
def fab_msgids() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    return {message for _, _, message, _, _ in extract_from_dir(
        FAB_DIR, method_map, keywords=FAB_KEYWORDS) if isinstance(message, str)}


OVERRIDES = _catalogue(BABEL_DIR / "fab_overrides/zh/LC_MESSAGES/messages.po")
FAB_ZH = _catalogue(FAB_DIR / "translations/zh/LC_MESSAGES/messages.po")
ENGLISH = _catalogue(BABEL_DIR / "translations/en/LC_MESSAGES/messages.po")


def test_every_fab_string_has_chinese(fab_msgids):
    assert len(fab_msgids) > 150  # the extraction found FAB's strings
    assert sorted(m for m in fab_msgids if m not in FAB_ZH and m not in OVERRIDES) == []


def test_overrides_only_translate_strings_fab_uses(fab_msgids):
    assert sorted(set(OVERRIDES) - fab_msgids) == []
    assert all(CHINESE.search(text) for text in OVERRIDES.values())


def test_every_project_string_has_english_and_reused_fab_strings_have_chinese(fab_msgids):
    marked = {m.id for m in extract_messages() if m.id}
    assert len(marked) > 100
    assert sorted(m for m in marked if CHINESE.search(m) and not ENGLISH.get(m)) == []
    english_ids = {m for m in marked if not CHINESE.search(m)}
    assert sorted(english_ids - fab_msgids) == []  # only FAB's own, translated above


def test_later_catalogue_overrides_fab(app):
    from flask_babel import gettext, refresh

    assert FAB_ZH["Logout"] != OVERRIDES["Logout"]
    with app.test_request_context("/?_l_=zh"):
        refresh()
        assert gettext("Logout") == OVERRIDES["Logout"]
        assert gettext("Search") == FAB_ZH["Search"]  # FAB's own where we add nothing


def test_default_locale_is_a_language(app):
    assert app.config["BABEL_DEFAULT_LOCALE"] in app.config["LANGUAGES"]


def test_english_is_selectable_for_the_projects_screens(app, db, tree, browser):
    from tests.conftest import make_user

    make_user(app, "english1")
    b = browser("english1")
    b.get("/lang/en")
    page = b.get("/residentview/list/").get_data(as_text=True)
    assert "Resident list" in page and "ID number" in page and "Community records" in page
    b.get("/lang/zh")
    assert "居民列表" in b.get("/residentview/list/").get_data(as_text=True)
