"""People counted one by one, from the parse (our own sentences)."""
import json
from pathlib import Path

import pytest

from tally.models import INJURED, KILLED
from tally.stages.extract import persons
from tally.stages.extract.persons import count_persons, find_persons

ROOT = Path(__file__).resolve().parents[3]


def kinds(sentence):
    """The fate of each different person the sentence describes ("shot" = wounded or worse)."""
    found = find_persons(sentence)
    return sorted(found[p.decided].kind for p in count_persons(found))


@pytest.mark.parametrize("sentence,want", [
    ("A 19-year-old man died late on Friday after he was shot outside a bakery.", [KILLED]),
    ("Officers say someone shot and killed a young woman near the bus depot.", [KILLED]),
    ("Marta Ruiz, 41, was pronounced dead at the scene.", [KILLED]),
    ("A man and a woman were shot on Elm Street.", ["shot", "shot"]),
    ("The driver was taken to a hospital with wounds to his arm.", [INJURED]),
    ("A teenager suffered a gunshot wound to the leg.", [INJURED]),
])
def test_a_described_victim_is_one_person(sentence, want):
    assert kinds(sentence) == want


@pytest.mark.parametrize("sentence", [
    "He threatened to kill his neighbour during the argument.",
    "The boy was not hurt.",
    "The council voted to close the shooting range.",
    "Two men were shot on Elm Street.",          # a number: counted by mentions.py, not here
])
def test_threats_negations_and_numbers_are_not_persons(sentence):
    assert find_persons(sentence) == []


def test_someone_shot_who_died_is_killed_not_injured():
    found = find_persons("A 30-year-old man was shot near the market.") + find_persons("He died in hospital.")
    people = count_persons(found)
    assert [p.kind for p in people] == [KILLED]


def test_a_second_victim_is_someone_new():
    found = (find_persons("A 25-year-old man has died after the shooting.")
             + find_persons("A second victim, a 31-year-old woman, was treated at a hospital for wounds."))
    assert sorted(p.kind for p in count_persons(found)) == [INJURED, KILLED]


def test_headline_and_lead_describing_one_victim_are_one_person():
    found = find_persons("Man dies after shooting") + find_persons("A 44-year-old man died after he was shot.")
    assert len(count_persons(found)) == 1


def people(*sentences):
    found = [p for s in sentences for p in find_persons(s)]
    return sorted(i.kind for i in count_persons(found))


def test_the_shooter_of_a_headline_style_sentence_is_not_a_victim():
    assert people("A 4-year-old boy accidentally shot and killed his 7-year-old sister on Sunday.") == [KILLED]


def test_a_title_case_headline_noun_is_no_name():
    assert people("Man Shot To Death In Riverside", "A 52-year-old man was fatally shot late Friday.",
                  "Ortega was taken to a hospital, where he died.") == [KILLED]


def test_kin_in_a_quote_is_the_victim_already_described():
    assert people("The teenager was gunned down outside his aunt's home.",
                  "\"They shot seven times and killed my nephew,\" his uncle said.") == [KILLED]


def test_negated_and_furniture_mentions_are_no_victims():
    assert people("Neither deputy was injured.") == []
    assert people("Tri-County News, Weather and Sports were shot down in the ratings.") == []


def test_a_bare_headline_noun_is_the_victim_the_lead_describes():
    assert people("Robbery suspect shot by deputies appears in court",
                  "A 23-year-old man who was shot by deputies after a chase appeared in court.",
                  "He was treated at a hospital.") == [INJURED]


def test_reflexive_and_one_of_victims():
    assert people("The 9-year-old accidentally shot himself in the hand.") == [INJURED]
    assert people("One of the students was shot in the arm.") == [INJURED]


# ------------------------------------------------------------------ the parse leaves NER for later

_NAMED = [
    "Police said Daniel Okafor, 34, was shot dead outside a shop on Friday evening.",
    "A man identified as Reyes was wounded and taken to Mercy Hospital, where he died on Monday.",
    "Gunmen killed Amina Yusuf and her brother in Kaduna on Tuesday, relatives said.",
    "Officers shot and killed Harlan after a chase that ended near Route 9 in December.",
    "Two Syrians and a Turkish driver were killed when the truck was hit, officials said.",
]


def _demo_sentences() -> list[str]:
    from tally.stages.extract.claims import sentences

    texts = [f.read_text(encoding="utf-8") for f in sorted((ROOT / "examples" / "txt").glob("*.txt"))]
    texts += [str(json.loads(line)["text"]) for line in
              (ROOT / "examples" / "reports.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [s for t in texts for _o, s in sentences(t)]


def test_persons_with_ner_left_for_later_are_those_of_a_full_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    found = [persons.find_persons(s) for s in _NAMED + _demo_sentences()]
    monkeypatch.setattr(persons, "_LATER", [])
    persons._PARSED.clear()
    persons._FOUND.clear()
    assert [persons.find_persons(s) for s in _NAMED + _demo_sentences()] == found
    assert sum(len(f) for f in found) >= 10


def test_entities_run_on_demand_match_a_full_parse() -> None:
    nlp = persons._nlp()
    for sentence in _NAMED:
        lazy, full = nlp(sentence, disable=persons._LATER), nlp(sentence)
        assert not lazy.has_annotation("ENT_IOB")
        assert [persons._entity_type(t) for t in lazy] == [t.ent_type_ for t in full]
        assert [(t.tag_, t.dep_, t.head.i, t.lemma_) for t in lazy] == [(t.tag_, t.dep_, t.head.i, t.lemma_) for t in full]


def test_parses_are_kept_for_later_reports_and_give_the_same_persons(monkeypatch):
    """A sentence seen again (a copy, boilerplate) is not parsed again; the oldest parses go past the limit."""
    monkeypatch.setattr(persons, "KEEP_PARSED", 2)
    monkeypatch.setattr(persons, "_PARSED", {})
    monkeypatch.setattr(persons, "_FOUND", {})
    first = "A 25-year-old man was shot dead on Monday."
    persons.prime([first, "Two women were wounded.", "The weather was fine."])
    kept = persons._PARSED[first]
    persons.prime(["Police said a boy died.", first])
    assert persons._PARSED[first] is kept
    assert set(persons._PARSED) == {"Police said a boy died.", first}   # "Two women..." was the oldest


def test_persons_found_are_kept_and_their_sentence_is_not_parsed_again(monkeypatch):
    monkeypatch.setattr(persons, "KEEP_FOUND", 2)
    monkeypatch.setattr(persons, "_PARSED", {})
    monkeypatch.setattr(persons, "_FOUND", {})
    first = "A 25-year-old man was shot dead on Monday."
    alone = find_persons(first)   # parsed on its own, not primed
    assert alone and persons._FOUND[first] == tuple(alone)
    persons._PARSED.clear()
    persons.prime([first])
    assert first not in persons._PARSED and find_persons(first) == alone
    find_persons("Two women were wounded.")
    find_persons("Police said a boy died.")
    assert list(persons._FOUND) == ["Two women were wounded.", "Police said a boy died."]   # first was the oldest
