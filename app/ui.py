"""What every page carries for its language: the locale files of FAB's date picker and select
boxes, and Chinese (or English) for the English strings in FAB's JavaScript.

Templates: app/templates/layout.html is the base of every FAB page (FAB_BASE_TEMPLATE); FAB's own
templates stay reachable as ``fab/appbuilder/...`` so an override extends them instead of copying.
"""
from pathlib import Path

import flask_appbuilder
from flask import current_app, url_for
from flask_appbuilder.fields import QuerySelectField
from flask_babel import get_locale, gettext as _
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from .i18n import N_

FAB_TEMPLATES = Path(flask_appbuilder.__file__).parent / "templates"
# English literals in FAB's ab.js / ab_filters.js / ab_actions.js, translated in app.js.
JS_MESSAGES = {
    "Select a State": N_("请选择"),
    "Select": N_("请选择"),
    "No row selected": N_("请先勾选要操作的记录"),
}
# Locale files of the vendored widgets, by the widgets' own locale name (config LANGUAGES "js").
LOCALE_SCRIPTS = ("vendor/bootstrap-datepicker/locales/bootstrap-datepicker.{}.min.js",
                  "vendor/select2/i18n/{}.js")


def page_i18n() -> dict:
    """The current language for the page's scripts: widget locale, its files, FAB's JS strings."""
    language = current_app.config["LANGUAGES"].get(str(get_locale()), {})
    js_locale = language.get("js", "")
    return {
        "locale": js_locale,
        "scripts": [url_for("static", filename=p.format(js_locale)) for p in LOCALE_SCRIPTS]
        if js_locale else [],
        "messages": {english: _(text) for english, text in JS_MESSAGES.items()},
    }


def _named_blank_choice(iter_choices):
    """FAB's optional relation selects offer a blank choice with no text, which WTForms 3.3
    renders as its value "__None"; give it the text of the project's own selects."""
    if getattr(iter_choices, "names_blank", False):
        return iter_choices

    def choices(field):
        for value, label, *rest in iter_choices(field):
            yield (value, _("（未填）") if value == "__None" else label, *rest)
    choices.names_blank = True
    return choices


def install(app) -> None:
    QuerySelectField.iter_choices = _named_blank_choice(QuerySelectField.iter_choices)
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(Path(app.root_path) / app.template_folder),
        PrefixLoader({"fab": FileSystemLoader(FAB_TEMPLATES)}),
    ])
    app.context_processor(lambda: {"page_i18n": page_i18n})
