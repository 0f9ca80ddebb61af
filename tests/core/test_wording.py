"""Words kept as a message and its parts (``habeas.core.wording``): rendered in the reader's language, with
plural forms, numbers and dates as that language writes them; and every message the rules and forms word
has its Russian and Kazakh translations."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from habeas.core.wording import count, date, english, listed, render, say
from habeas.custody.models import describe_frequency

ROOT = Path(__file__).resolve().parents[2] / "habeas"
#: the modules that word messages with ``say`` and ``count``
WORDING_MODULES = [
    *sorted((ROOT / "standards" / "rules").glob("*.py")),
    ROOT / "standards" / "selectors.py",
    ROOT / "custody" / "models.py",
    ROOT / "reports" / "clock.py",
]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def strings(node: ast.AST) -> list[str]:
    """The message ids in an argument: a literal, or either branch of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return strings(node.body) + strings(node.orelse)
    raise AssertionError(f"line {node.lineno}: a message id must be written out, not computed")


def messages() -> tuple[list[str], list[tuple[str, str]]]:
    """The ``say`` message ids and the ``count`` (singular, plural) pairs of the wording modules."""
    said, counted = [], []
    for path in WORDING_MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id == "say":
                    said += strings(node.args[0])
                elif node.func.id == "count":
                    counted.append((*strings(node.args[0]), *strings(node.args[1])))
    return said, counted


def test_the_modules_word_messages():
    said, counted = messages()
    assert len(said) > 80 and len(counted) > 15


def in_catalogue(key: str | tuple[str, int], language: str = "ru") -> bool:
    return key in trans_real.translation(language)._catalog


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("msgid", sorted(set(messages()[0])))
def test_every_message_has_its_russian_and_kazakh_translation(msgid, language):
    assert in_catalogue(msgid, language), f"no {language} translation for {msgid!r}"
    with translation.override(language):
        shown = translation.gettext(msgid)
    if re.search(r"[a-z]", PLACEHOLDER.sub("", msgid)):  # words, not only placeholders and stops
        assert shown != msgid, shown
    assert set(PLACEHOLDER.findall(shown)) == set(PLACEHOLDER.findall(msgid)), shown


@pytest.mark.parametrize("singular,plural", sorted(set(messages()[1])))
def test_every_counted_message_has_its_russian_forms(singular, plural):
    assert all(in_catalogue((singular, form)) for form in range(4)), f"no Russian forms for {singular!r}"
    forms = set()
    with translation.override("ru"):
        for n in (1, 2, 5, 11, 21, 22, 25):
            shown = translation.ngettext(singular, plural, n)
            assert CYRILLIC.search(shown), f"no Russian for {singular!r} ({n})"
            assert set(PLACEHOLDER.findall(shown)) == set(PLACEHOLDER.findall(singular)), shown
            forms.add(shown)
    assert len(forms) >= 2, singular  # a Russian count takes more than one form


@pytest.mark.parametrize("singular,plural", sorted(set(messages()[1])))
def test_every_counted_message_has_its_kazakh_forms(singular, plural):
    """Kazakh keeps a noun singular after a number ("5 күн"): two forms, which may be the same."""
    assert all(in_catalogue((singular, form), "kk") for form in range(2)), f"no Kazakh forms for {singular!r}"
    with translation.override("kk"):
        for n in (1, 2, 5):
            shown = translation.ngettext(singular, plural, n)
            assert CYRILLIC.search(shown), f"no Kazakh for {singular!r} ({n})"
            assert set(PLACEHOLDER.findall(shown)) == set(PLACEHOLDER.findall(singular)), shown


def test_every_message_of_the_interface_has_its_kazakh_translation():
    """Habeas's Kazakh catalogue holds every message of its Russian one, each translated (not left in English)."""

    def catalogue(language: str) -> dict:
        with (ROOT / "locale" / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
            return gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]

    russian, kazakh = catalogue("ru"), catalogue("kk")
    # the header's empty id aside; a plural message once (Russian has four forms, Kazakh two)
    keys = {key if isinstance(key, str) else (key[0], 0) for key in russian if key}
    assert len(keys) > 1500
    untranslated = [key for key in keys if key not in kazakh or not CYRILLIC.search(str(kazakh[key]))]
    words = [key for key in untranslated if re.search(r"[a-z]{3}", PLACEHOLDER.sub("", str(key)))]
    assert not words, words[:10]


def test_counted_words_take_the_form_their_number_asks_for():
    words = [count("%(n)s day", "%(n)s days", n) for n in (1, 3, 5, 21, 1500)]
    assert [english(w) for w in words] == ["1 day", "3 days", "5 days", "21 days", "1,500 days"]
    with translation.override("ru"):
        assert [render(w) for w in words] == ["1 день", "3 дня", "5 дней", "21 день", "1\xa0500 дней"]


def test_messages_nest_and_lists_join():
    words = say(
        "%(body)s at %(place)s: %(problems)s",
        body="ОНК",
        place=say("the place"),
        problems=listed([say("access was refused"), say("refused: %(what)s", what="cells")], "; "),
    )
    assert english(words) == "ОНК at the place: access was refused; refused: cells"
    with translation.override("ru"):
        shown = render(words)
    assert shown.startswith("ОНК") and "cells" in shown and "; " in shown and "access" not in shown


def test_dates_keep_their_precision_in_each_language():
    march = date(dt.date(2012, 3, 1), "month")
    day = date(dt.date(2011, 12, 16), "day")
    assert (english(march), english(day)) == ("March 2012", "16 December 2011")
    with translation.override("ru"):
        assert (render(march), render(day)) == ("март 2012 г.", "16 декабря 2011")
    with translation.override("kk"):
        assert render(march) == "2012 ж. наурыз"


def test_a_frequency_is_said_in_each_language():
    assert english(describe_frequency(1, 1, "year")) == "once a year"
    assert english(describe_frequency(2, 3, "month")) == "twice every 3 months"
    assert english(describe_frequency(3, 1, "week")) == "3 times a week"
    assert english(describe_frequency(None, None, "")) == "frequency not known"
    with translation.override("ru"):
        assert render(describe_frequency(1, 1, "year")) == "раз в год"
        assert render(describe_frequency(2, 3, "month")) == "дважды в 3 месяца"
        assert render(describe_frequency(1, 21, "day")) == "раз в 21 день"
        assert render(describe_frequency(5, 1, "week")) == "5 раз в неделю"
    with translation.override("kk"):
        assert render(describe_frequency(1, 1, "year")) == "жылына бір рет"
        assert render(describe_frequency(2, 3, "month")) == "әр 3 ай сайын екі рет"


def test_a_stored_summary_from_before_wording_is_shown_as_it_is():
    words = {"m": "solitary confinement for 730 consecutive days; 100% of it"}
    with translation.override("ru"):
        assert render(words) == words["m"]


@pytest.mark.parametrize("value", [None, True, dt.date(2012, 3, 1)])
def test_what_is_not_words_is_refused_by_name(value):
    with pytest.raises(TypeError, match="not"):
        render(say("held at %(place)s", place=value))  # type: ignore[arg-type]
