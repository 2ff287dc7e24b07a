from tally.stages.extract.lexicon import actors, victim_nouns
from tally.stages.extract.mentions import find_mentions, implicit_mentions


def found(sentence):
    return [(sentence[m.start:m.end], m.kind, m.category, m.side, m.part_of)
            for m in find_mentions(sentence, victim_nouns(), actors())]


def test_passive_and_elliptic_injured():
    got = found("Eight soldiers of the Somali army were killed and 11 wounded near the base.")
    assert got[0][1:4] == ("killed", "combatant", "Somali army")
    assert got[1][:4] == ("11", "injured", "combatant", "Somali army")


def test_active_verb_with_coordinated_objects():
    got = found("The ambush killed six policemen and 3 civilians, officials said.")
    assert [(g[0], g[1], g[2]) for g in got] == [("six policemen", "killed", "combatant"),
                                                  ("3 civilians", "killed", "civilian")]


def test_including_is_a_part_not_an_addition():
    got = found("Twenty villagers, including seven children, died in the shelling.")
    assert got[0][:3] == ("Twenty villagers", "killed", "civilian") and got[0][4] is None
    assert got[1][0] == "seven children" and got[1][4] == 0


def test_n_of_them_is_a_part():
    got = found("The strikes killed at least 30 civilians, 12 of them women.")
    assert got[1][4] == 0 and got[1][1] == "killed"


def test_figures_that_are_not_casualties_are_ignored():
    assert found("Some 3,000 fighters remain in the enclave.") == []
    assert found("More than 2,000 residents fled the town on foot.") == []
    assert found("The rebels hold nearly 500 hostages.") == []
    assert found("The raid destroyed 4 warehouses and killed no animals.") == []
    assert found("Prices rose 12 percent in the three months to June.") == []


def test_side_comes_from_the_alias_table():
    got = found("Clashes killed 15 Taliban fighters and two Afghan soldiers.")
    assert [g[3] for g in got] == ["Taliban", None]


def test_implicit_counts():
    s = "A teenager was shot dead outside a shop and no one else was hurt."
    got = [(m.figure.low, m.kind) for m in implicit_mentions(s)]
    assert (1, "killed") in got
    assert (0, "injured") in got


def test_attackers_counted_before_their_own_verb_are_no_victims():
    from tally.stages.extract.lexicon import actors, victim_nouns
    from tally.stages.extract.mentions import find_mentions

    found = find_mentions("Two gunmen stormed the house and, they said, shot dead the owner.", victim_nouns(), actors())
    assert found == []
    assert find_mentions("Photo 1 of 3 Police say a man was killed.", victim_nouns(), actors()) == []


def test_shot_counts_the_hit_only_in_the_passive():
    from tally.stages.extract.lexicon import actors, victim_nouns
    from tally.stages.extract.mentions import find_mentions

    def figs(s):
        return [(m.figure.low, m.kind) for m in find_mentions(s, victim_nouns(), actors())]

    assert figs("Four people were shot near the stadium.") == [(4, "injured")]
    assert figs("The two deputies who shot the driver were placed on leave.") == []
    assert figs("Officers chased three men and shot one.") == []
    assert figs("A woman in her 30's was shot in the arm.") == []
