"""The keyword scorer (a feature of the classifier) reads text in any letter case."""

from __future__ import annotations

import re

from agent.classify.keywords import _RAW, keyword_scores_text


def test_case_does_not_matter_and_the_subject_counts_double() -> None:
    shouting = keyword_scores_text("Subject: RECHNUNG Nr. 4711\nBitte ÜBERWEISEN Sie den Betrag.")
    quiet = keyword_scores_text("Subject: rechnung nr. 4711\nbitte überweisen sie den betrag.")
    assert shouting == quiet
    body_only = keyword_scores_text("Subject: Hallo\nRechnung Nr. 4711, bitte überweisen.")
    assert shouting["invoice_payment"] > body_only["invoice_payment"] > 0


def test_every_pattern_is_lower_case() -> None:
    """Text is lower-cased before matching: a capital letter in a pattern never matches."""
    for patterns in _RAW.values():
        for pattern, _ in patterns:
            letters = re.sub(r"\\[A-Za-z]", "", pattern)  # escapes such as \b, \d, \s
            assert letters == letters.lower(), pattern
