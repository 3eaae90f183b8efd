"""The owner's knowledge speaks of the owner in the third person ("Miriam Sander kümmert sich
persönlich darum und meldet sich innerhalb von zwei Werktagen", "Auf Wunsch vermittelt Anna
Beispiel eine Texterin", "Tobias looks into it personally"); a reply the owner signs says
"ich"/"I": "Ich kümmere mich persönlich darum und melde mich innerhalb von zwei Werktagen."

Only a clause whose finite verbs this module can conjugate is rewritten; any other sentence
is left as written (a wrong verb form reads worse than the third person).
"""

from __future__ import annotations

import re

_DE_IRREGULAR = {
    "ist": "bin", "hat": "habe", "wird": "werde", "kann": "kann", "muss": "muss",
    "will": "will", "darf": "darf", "soll": "soll", "mag": "mag", "weiß": "weiß",
    "sieht": "sehe", "gibt": "gebe", "nimmt": "nehme", "spricht": "spreche", "hilft": "helfe",
    "fährt": "fahre", "läuft": "laufe", "hält": "halte", "trifft": "treffe", "liest": "lese",
    "lädt": "lade", "empfiehlt": "empfehle", "übernimmt": "übernehme", "bespricht": "bespreche",
}
_EN_IRREGULAR = {"is": "am", "has": "have", "does": "do", "goes": "go", "can": "can",
                 "will": "will", "would": "would", "may": "may", "must": "must"}
_DE_PRONOUNS = {"sich": "mich"}
_EN_PRONOUNS = {"herself": "myself", "himself": "myself", "her": "my", "his": "my"}


def _de_verb(word: str) -> str | None:
    """First person singular of a third-person verb form, or None when unsure."""
    if word in _DE_IRREGULAR:
        return _DE_IRREGULAR[word]
    if not (len(word) >= 4 and word.isalpha() and word.islower() and word.endswith("t")):
        return None
    if word.endswith("elt"):  # vermittelt → vermittle, behandelt → behandle
        return word[:-3] + "le"
    if word.endswith(("det", "tet")):  # meldet → melde, bietet → biete
        return word[:-1]
    if word.endswith("et"):
        return None  # "öffnet" → "öffne" but "begleitet"… too unsure
    if word.endswith("st"):
        return None
    return word[:-1] + "e"  # kümmert → kümmere, kommt → komme, prüft → prüfe


def _en_verb(word: str) -> str | None:
    if word in _EN_IRREGULAR:
        return _EN_IRREGULAR[word]
    if not (len(word) >= 3 and word.isascii() and word.isalpha() and word.islower()):
        return None
    if word.endswith("ies") and len(word) >= 5:
        return word[:-3] + "y"  # replies → reply
    if word.endswith(("shes", "ches", "sses", "xes")):
        return word[:-2]  # reaches → reach
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]  # looks → look, comes → come
    return None


def owner_names(full: str) -> list[str]:
    """How the knowledge may name the owner: "Miriam Sander", "Miriam", "Frau Sander",
    "Herr Sander", "Ms Sander", "Mr Sander"."""
    parts = full.split()
    if len(parts) < 2:
        return [full] if full.strip() else []
    last = parts[-1]
    return [full, parts[0], *(f"{t} {last}" for t in ("Frau", "Herr", "Ms", "Mr", "Mrs"))]


_CLAUSE_END = re.compile(r"[.;:!?]|,\s(?!und\b|and\b)|$")


def first_person(text: str, names: list[str], language: str) -> str:
    """`text` with the owner (any of `names`: the full name, the first name, "Frau Sander")
    as "ich"/"I" where they are the subject and the verbs can be conjugated."""
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        if name in text:
            text = _rewrite(text, name, language)
    return text


def _rewrite(text: str, name: str, language: str) -> str:
    de = language == "de"
    out = text
    for m in reversed(list(re.finditer(re.escape(name), text))):
        before, rest = text[:m.start()], text[m.end():]
        clause = _raw_clause(rest)
        words = before.split()
        at_start = not words or before.rstrip().endswith((".", ":", ";", "!", "?"))
        if at_start:
            tail = _clause_rest(clause, de, subject_first=True)
            if tail is not None:
                me = "I" if not de else "ich" if before.rstrip().endswith(";") else "Ich"
                out = out[:m.start()] + me + tail + out[m.end() + len(clause):]
            continue
        # "Auf Wunsch vermittelt Anna Beispiel eine Texterin.": the verb just before (German)
        conj = _de_verb(words[-1]) if de and len(words) >= 2 else None
        tail = _clause_rest(clause, de, subject_first=False) if conj else None
        if conj is None or tail is None:
            continue
        cut = before.rstrip().rfind(words[-1])
        out = out[:cut] + f"{conj} ich" + tail + out[m.end() + len(clause):]
    return out


def _raw_clause(rest: str) -> str:
    m = _CLAUSE_END.search(rest)
    return rest[:m.start()] if m else rest


# after "and", a verb goes on with one of these ("and comes back", "and calls you")
_EN_AFTER_VERB = frozenset({"back", "you", "it", "in", "to", "the", "a", "an", "with", "your",
                            "up", "over", "out", "them", "on", "personally", "directly"})


def _clause_rest(clause: str, de: bool, subject_first: bool) -> str | None:
    """The clause after the name with its finite verbs and reflexive pronouns in the first
    person; None when its first verb cannot be conjugated."""
    verb_of = _de_verb if de else _en_verb
    pronouns = _DE_PRONOUNS if de else _EN_PRONOUNS
    tokens = re.split(r"(\s+)", clause)
    words = [(i, t) for i, t in enumerate(tokens) if t and not t.isspace()]
    expect_verb = subject_first
    changed = not subject_first
    for n, (i, tok) in enumerate(words):
        word = tok.strip(",")
        if expect_verb:
            expect_verb = False
            following = words[n + 1][1].lower() if n + 1 < len(words) else ""
            if not de and changed and following not in _EN_AFTER_VERB:
                continue  # "invoices and reminders": a noun, not a second verb
            conj = verb_of(word)
            if conj is None:
                if not changed:
                    return None
                continue
            tokens[i] = tok.replace(word, conj)
            changed = True
            continue
        if word in ("und", "and"):
            expect_verb = True
            continue
        if word in pronouns:
            following = words[n + 1][1] if n + 1 < len(words) else ""
            if de and following[:1].isupper():
                return None  # "nimmt sich Zeit": a dative, "mir" — not risked
            tokens[i] = tok.replace(word, pronouns[word])
    return "".join(tokens) if changed else None
