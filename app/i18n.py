"""Translations: Simplified Chinese by default, English selectable.

Layout (config.BABEL_TRANSLATION_DIRECTORIES; FAB prepends its own catalogue, and flask-babel
merges the directories in order, a later one overriding an earlier one's messages):
- ``babel/fab_overrides/zh``: our Chinese for FAB's English msgids (strings FAB's zh catalogue lacks
  or gets wrong). Kept apart from the project's catalogue so ``update`` never marks them obsolete.
- ``babel/translations/en``: English for the project's own strings. Their msgids are the Chinese
  source strings, so Chinese needs no catalogue and an unmarked string still reads correctly in
  Chinese; marking (``_``/``_l``/``N_``, or ``field(label)``) makes it translatable.

Compiled ``.mo`` files are not kept in git: ``flask setup``, ``flask translations compile`` and the
test session compile them.
"""
import os
import re
import tempfile
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent.parent
BABEL_DIR = ROOT / "babel"
PROJECT_CATALOGUES = BABEL_DIR / "translations"
# Functions whose argument is a user-visible string: gettext's, plus the column declarations.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None,
            "lazy_gettext": None, "field": (1,), "code_column": (2,)}


# A project msgid written in Chinese needs an English msgstr; an English one is FAB's own string
# reused in an overriding template, translated by FAB's catalogue or babel/fab_overrides.
CHINESE = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def N_(message: str) -> str:
    """Marks a string for the catalogue where it must stay a plain str (menu names are also
    permission names); it is translated where it is shown."""
    return message


def _atomic_write(path: Path, write) -> None:
    """Writes through a temporary file so concurrent readers never see half a catalogue."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name)
    with os.fdopen(fd, "wb") as out:
        write(out)
    os.replace(tmp, path)


def compile_catalogues(root: Path = BABEL_DIR) -> list[Path]:
    """Compiles every ``messages.po`` under ``root`` whose ``.mo`` is missing or older."""
    compiled = []
    for po in sorted(root.glob("*/*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        _atomic_write(mo, lambda out, c=catalog: write_mo(out, c))
        compiled.append(mo)
    return compiled


def extract_messages() -> Catalog:
    """The project's marked strings (Python, templates), as a template catalogue."""
    with (BABEL_DIR / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(project="社区信息管理系统", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def update_catalogues() -> list[str]:
    """Merges newly marked strings into each project catalogue; returns the untranslated ones."""
    template = extract_messages()
    missing = []
    for po in sorted(PROJECT_CATALOGUES.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        catalog.update(template, no_fuzzy_matching=True)
        _atomic_write(po, lambda out, c=catalog: write_po(out, c, width=100,
                                                          ignore_obsolete=True))
        missing += [f"{po.parent.parent.name}: {m.id}" for m in catalog
                    if m.id and not m.string and CHINESE.search(m.id)]
    return missing


translations_group = AppGroup("translations", help="界面翻译（babel/）")


@translations_group.command("compile")
def compile_command():
    """Compile babel/**/messages.po to .mo (done by `flask setup` too)."""
    for mo in compile_catalogues():
        click.echo(f"compiled {mo.relative_to(ROOT)}")


@translations_group.command("update")
def update_command():
    """Extract the marked strings and merge them into the project catalogues."""
    for line in update_catalogues():
        click.echo(f"untranslated {line}")
