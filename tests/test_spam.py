"""Spam as it really arrives: the provider's verdicts are honoured (only those against a
mail: a sender can write any header), a brand whose DMARC or SPF check failed at the
receiving provider is spam, and the signs of bulk spam are read from the mail itself."""

from __future__ import annotations

from collections.abc import Callable

from clocks import FIXED_NOW
from conftest import FIXTURES, raw_of

from agent.classify.knn import signals_of
from agent.parse.mime import parse_message
from agent.view import build_view
from core.config import Workspace
from core.models import Action, Category, TriageOutcome

SPAM = "spam/"


def test_a_provider_verdict_files_the_mail_as_spam_and_nothing_is_done(
        run_triage: Callable[[str], TriageOutcome]) -> None:
    for name in ("flagged-by-provider.eml", "rspamd-add-header.eml"):
        out = run_triage(SPAM + name)
        assert out.classification.category is Category.spam, name
        assert out.classification.decided_by == "provider-verdict"
        assert out.decision.action is Action.ignore
        assert out.decision.planned_actions == [] or all(
            p.type == "archive" for p in out.decision.planned_actions)


def test_a_clean_verdict_proves_nothing(run_triage: Callable[[str], TriageOutcome]) -> None:
    """The same inquiry with "X-Spam-Flag: NO": decided by the classifier, as a mail
    without any verdict would be (a spammer can write "NO" as easily)."""
    out = run_triage(SPAM + "provider-says-clean.eml")
    assert out.classification.decided_by in ("knn", "knn-words")  # the classifier
    assert out.view.mail.verdict.spam is None


def test_a_brand_that_fails_dmarc_at_the_provider_is_spam(
        run_triage: Callable[[str], TriageOutcome]) -> None:
    out = run_triage(SPAM + "brand-dmarc-fail.eml")
    assert out.classification.category is Category.spam
    assert out.classification.decided_by.startswith("auth-fail:")
    assert out.decision.action is Action.ignore


def test_only_the_providers_own_authentication_header_counts(
        run_triage: Callable[[str], TriageOutcome]) -> None:
    """A 'dmarc=fail' below the topmost Authentication-Results travelled with the mail."""
    out = run_triage(SPAM + "brand-dmarc-fail-forged-below.eml")
    assert out.view.mail.verdict.auth_fail == []
    assert not out.classification.decided_by.startswith("auth-fail")


def test_a_failed_check_alone_does_not_make_a_small_business_spam(
        run_triage: Callable[[str], TriageOutcome]) -> None:
    """Many small senders' SPF records are broken; without a brand claim the mail is
    classified by its content (here a correction to delivered work)."""
    out = run_triage(SPAM + "small-sender-spf-fail.eml")
    assert out.view.mail.verdict.auth_fail == ["spf"]
    assert out.classification.category is not Category.spam


def test_bulk_spam_signs_are_read_from_the_mail(ws: Workspace) -> None:
    raw = raw_of(FIXTURES / SPAM / "bulk-html-no-unsubscribe.eml")
    view = build_view(parse_message(raw), ws, FIXED_NOW)
    signals = signals_of(view)
    assert signals["mass_html"] == 1  # fonts, colours, tables, images
    assert signals["unsub_no_header"] == 1  # "reply with REMOVE", no List-Unsubscribe
    assert signals["obfuscated"] == 1  # "F R E E"
    assert signals["shouting"] == 1  # a subject in capitals with "!!!"
    assert signals["link_mismatch"] == 1  # links to a bare IP address
    plain = build_view(parse_message(raw_of(FIXTURES / SPAM / "small-sender-spf-fail.eml")),
                       ws, FIXED_NOW)
    assert not any(signals_of(plain)[k] for k in ("mass_html", "unsub_no_header",
                                                  "obfuscated", "shouting"))

