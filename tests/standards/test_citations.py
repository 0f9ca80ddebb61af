"""The standard a finding cites is stored in English (as the rules engine found it) and shown in the reader's
language while it is still its rule's citation."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from habeas.standards.rules import CATALOGUE, standard_shown

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_rules_citation_is_shown_in_russian(code):
    rule = CATALOGUE[code]
    assert standard_shown(code, rule.citation) == rule.citation  # in English by default
    with translation.override("ru"):
        instrument, article = translation.gettext(rule.instrument), translation.gettext(rule.article)
        assert standard_shown(code, rule.citation) == f"{instrument}, {article}"
    assert CYRILLIC.search(instrument), instrument
    assert CYRILLIC.search(article) or re.fullmatch(r"IMP-\d\d", rule.article), article  # a code alone stays


def test_a_finding_found_under_other_wording_keeps_its_own():
    code = sorted(CATALOGUE)[0]
    with translation.override("ru"):
        assert standard_shown(code, "an older citation") == "an older citation"
        assert standard_shown("NO-SUCH-RULE", "a citation") == "a citation"
