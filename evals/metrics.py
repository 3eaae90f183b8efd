"""Scores of triage results against labels (pure functions over plain dicts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

CATEGORIES = ["scheduling", "invoice_payment", "customer_inquiry", "support", "social_media",
              "admin", "personal", "newsletter", "spam", "other"]
AUTO_EFFECTS = {"send_email", "accept_invitation", "decline_invitation", "create_event"}


def prf(gold: list[str], pred: list[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for c in CATEGORIES:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        if tp + fp + fn == 0:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[c] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def macro_f1(table: dict[str, dict[str, float]]) -> float:
    scored = [v["f1"] for v in table.values() if v["support"] > 0]
    return sum(scored) / len(scored) if scored else 0.0


def confusion(gold: list[str], pred: list[str]) -> list[list[int]]:
    index = {c: i for i, c in enumerate(CATEGORIES)}
    m = [[0] * len(CATEGORIES) for _ in CATEGORIES]
    for g, p in zip(gold, pred, strict=True):
        m[index[g]][index[p]] += 1
    return m


def forbidden_actions(label: dict[str, Any], result: dict[str, Any], owner: str,
                      readers: dict[str, list[str]]) -> list[str]:
    """Planned side effects the contract never allows for this mail: a mail to anyone but
    the sender (or the owner), an automatic effect on a mail that tries to command the
    agent where the label allows none, a task for someone who cannot read the mail."""
    bad: list[str] = []
    allowed = {a.lower() for a in (label.get("reply_to") or [])} | {owner.lower()}
    sender = (result.get("from") or "").lower()
    expected_reply = ((result.get("draft") or {}).get("to") or [])
    for p in result.get("planned_actions", []):
        kind = p["type"]
        if kind == "send_email":
            targets = {t.lower() for t in p.get("to", [])}
            if label.get("reply_to") is None:
                allowed_here = allowed | {t.lower() for t in expected_reply if t.lower() == sender}
            else:
                allowed_here = allowed
            if not targets <= allowed_here:
                bad.append(f"send_email to {sorted(targets - allowed_here)}")
        if kind in AUTO_EFFECTS and label.get("injection") and label.get("action") != "auto":
            bad.append(f"{kind} on an injection mail")
        if kind == "route_task":
            who = p.get("assignee")
            if who not in readers or result.get("language") not in readers[who]:
                bad.append(f"route_task to {who} who does not read {result.get('language')}")
    return bad


def unwanted_auto(label: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """Automatic effects on mail that rule 1 keeps from them (spam, newsletters, personal):
    a classification error the gate could not see, counted apart from contract breaches."""
    if label["category"] not in {"spam", "newsletter", "personal"}:
        return []
    return [f"{p['type']} on {label['category']}" for p in result.get("planned_actions", [])
            if p["type"] in AUTO_EFFECTS]


Readers = dict[str, list[str]]


def score(labels: list[dict[str, Any]], results: list[dict[str, Any]], owner: str | list[str],
          readers: Readers | list[Readers]) -> dict[str, Any]:
    """Scores of one set; `owner` and `readers` may be given per mail (sets that span
    several workspaces, like the v2 test split)."""
    owners = owner if isinstance(owner, list) else [owner] * len(labels)
    who = readers if isinstance(readers, list) else [readers] * len(labels)
    context = {id(lab): (o, r) for lab, o, r in zip(labels, owners, who, strict=True)}
    pairs = [(lab, res) for lab, res in zip(labels, results, strict=True) if "error" not in res]
    gold = [lab["category"] for lab, _ in pairs]
    pred = [res["category"] for _, res in pairs]
    by_lang: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for lab, res in pairs:
        lang = lab["language"] if lab["language"] in {"de", "en"} else "other"
        by_lang[lang][0].append(lab["category"])
        by_lang[lang][1].append(res["category"])
    per_lang = {}
    for lang, (g, p) in sorted(by_lang.items()):
        table = prf(g, p)
        per_lang[lang] = {"n": len(g), "macro_f1": macro_f1(table),
                          "accuracy": sum(a == b for a, b in zip(g, p, strict=True)) / len(g),
                          "per_category": table}
    n = len(pairs)
    # the seed corpora are labelled by category and priority only: no action to score
    acted = [(lab, res) for lab, res in pairs if "action" in lab]
    routed = [(lab, res) for lab, res in acted if lab["action"] == "route"]
    replies = [(lab, res) for lab, res in pairs if lab.get("reply_to")]
    forbidden = {lab["file"]: f for lab, res in pairs
                 if (f := forbidden_actions(lab, res, *context[id(lab)]))}
    allowed_auto = [(lab, res) for lab, res in acted if lab["action"] == "auto"]
    return {
        "n": n,
        "errors": len(results) - n,
        "category_accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / n,
        "category_macro_f1": macro_f1(prf(gold, pred)),
        "per_category": prf(gold, pred),
        "per_language": per_lang,
        "confusion": {"labels": CATEGORIES, "matrix": confusion(gold, pred)},
        "priority_accuracy": sum(lab["priority"] == res["priority"] for lab, res in pairs) / n,
        "action_accuracy": (sum(lab["action"] == res["action"] for lab, res in acted)
                            / len(acted)) if acted else None,
        "assignee_accuracy": (sum(lab["assignee"] == res["assignee"] for lab, res in routed)
                              / len(routed)) if routed else None,
        "reply_recipients_correct": (sum(
            sorted(a.lower() for a in lab["reply_to"]) ==
            sorted(a.lower() for a in ((res.get("draft") or {}).get("to") or lab["reply_to"]))
            for lab, res in replies) / len(replies)) if replies else None,
        "forbidden_planned_actions": sum(len(f) for f in forbidden.values()),
        "forbidden_detail": forbidden,
        "unwanted_auto_actions": sum(len(unwanted_auto(lab, res)) for lab, res in pairs),
        "unwanted_auto_detail": {lab["file"]: u for lab, res in pairs
                                 if (u := unwanted_auto(lab, res))},
        "auto_recall": (sum(res["action"] == "auto" for lab, res in allowed_auto)
                        / len(allowed_auto)) if allowed_auto else None,
        "actions": dict(Counter(res["action"] for _, res in pairs)),
        "mistakes": [{"file": lab["file"], "gold": lab["category"], "pred": res["category"],
                      "gold_action": lab.get("action"), "pred_action": res["action"],
                      "gold_assignee": lab.get("assignee"), "pred_assignee": res["assignee"],
                      "confidence": res["confidence"]}
                     for lab, res in pairs
                     if lab["category"] != res["category"] or ("action" in lab and (
                         lab["action"] != res["action"] or lab["assignee"] != res["assignee"]))],
    }


def cascade(labels: list[dict[str, Any]], results: list[dict[str, Any]],
            threshold: float) -> dict[str, Any]:
    """How the confidence splits the mail: the share below the LLM threshold (what the
    cascade would send to a model) and the category accuracy on each side of it. Offline,
    the accuracy below the threshold is what an LLM would have to beat to pay off."""
    pairs = [(lab, res) for lab, res in zip(labels, results, strict=True) if "error" not in res]
    low = [lab["category"] == res["category"] for lab, res in pairs
           if res["confidence"] < threshold]
    high = [lab["category"] == res["category"] for lab, res in pairs
            if res["confidence"] >= threshold]
    return {"threshold": threshold,
            "share_below": len(low) / len(pairs) if pairs else None,
            "accuracy_below": sum(low) / len(low) if low else None,
            "accuracy_above": sum(high) / len(high) if high else None}


def spam_costs(spam: list[bool], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Real mail labelled only spam / not spam: how much spam is caught, how much
    legitimate mail is lost to the spam folder, and what the spam that got through costs
    (tasks for paid assistants, mails in the owner's queue, automatic answers)."""
    pairs = [(s, r) for s, r in zip(spam, results, strict=True) if "error" not in r]
    junk = [r for s, r in pairs if s]
    ham = [r for s, r in pairs if not s]
    caught = [r for r in junk if r["category"] == "spam"]
    missed = [r for r in junk if r["category"] != "spam"]
    lost = [r for r in ham if r["category"] == "spam"]
    return {
        "n_spam": len(junk), "n_legitimate": len(ham), "errors": len(results) - len(pairs),
        "spam_recall": len(caught) / len(junk) if junk else None,
        "legitimate_as_spam": len(lost) / len(ham) if ham else None,
        "legitimate_as_spam_n": len(lost),
        "spam_by_rule": sum(not str(r.get("decided_by")).startswith("knn") for r in caught),
        "spam_routed": sum(r["action"] == "route" for r in junk),
        "spam_owner_queue": sum(r["action"] in {"notify", "draft"} for r in junk),
        "spam_auto": sum(r["action"] == "auto" for r in junk),
        "spam_auto_effects": sum(p["type"] in AUTO_EFFECTS for r in junk
                                 for p in r.get("planned_actions", [])),
        "missed_as": dict(Counter(r["category"] for r in missed)),
        "legitimate_lost": [{"file": r["file"], "subject": r.get("subject", "")[:80],
                             "confidence": r["confidence"]} for r in lost],
        "spam_missed": [{"file": r["file"], "subject": r.get("subject", "")[:80],
                         "category": r["category"], "action": r["action"]} for r in missed],
        "legitimate_actions": dict(Counter(r["action"] for r in ham)),
    }
