"""People counted one by one, from the parse (our own sentences)."""
import pytest

from tally.models import INJURED, KILLED
from tally.stages.extract.persons import count_persons, find_persons


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
