"""Tests for tally.stages.dedupe. Every report below is invented for these tests."""
from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import replace
from pathlib import Path

import pytest

from tally.errors import StageError
from tally.models import CleanArticle
from tally.stages import dedupe
from tally.stages.dedupe import (
    CONTAINMENT_MIN, JACCARD_MIN, CopyIndex, find_copies, signature, signature_bytes, signature_from_bytes,
)

SEEDS = Path(__file__).parents[2] / ".." / "shared" / "seeds"

# ------------------------------------------------------------------ texts (written for these tests)

ORIGINAL = """\
Militants killed 14 soldiers and wounded 22 others in an assault on an army checkpoint near the town of \
Karvash in northern Delmir province on Tuesday, security officials said.

The attackers arrived in pickup trucks shortly before dawn and opened fire with machine guns and \
rocket-propelled grenades, a local police commander told reporters by telephone. Two of the attackers blew \
themselves up at the gate of the compound, he said.

Nine militants were killed in the fighting that followed, according to the defense ministry, which said \
reinforcements had been sent from the provincial capital of Sarem. Helicopters were seen circling over the \
area for several hours after the attack.

No group immediately claimed responsibility, but the army blamed fighters loyal to the Northern Front, which \
has carried out a string of raids on security posts in the region since the spring.

Residents of Karvash said the clashes lasted more than three hours and that many families fled towards the \
river as shells landed near their homes. A hospital director in Sarem said the wounded included four \
civilians, among them a girl aged seven.

The governor of Delmir announced a curfew across the district and ordered schools closed until further \
notice. The defense minister is expected to visit the area on Wednesday.

The government launched an offensive against the Northern Front last year, but the group still controls a \
string of villages along the mountain border.
"""

# A syndicated copy: a headline line on top, "Nine"/"9" and "22"/"twenty-two", "defense"/"defence", and the
# sentence about helicopters dropped.
EDITED_COPY = """\
Fourteen soldiers killed in militant assault on Delmir checkpoint

Militants killed 14 soldiers and wounded twenty-two others in an assault on an army checkpoint near the \
town of Karvash in northern Delmir province on Tuesday, security officials said.

The attackers arrived in pickup trucks shortly before dawn and opened fire with machine guns and \
rocket-propelled grenades, a local police commander told reporters by telephone. Two of the attackers blew \
themselves up at the gate of the compound, he said.

9 militants were killed in the fighting that followed, according to the defence ministry, which said \
reinforcements had been sent from the provincial capital of Sarem.

No group immediately claimed responsibility, but the army blamed fighters loyal to the Northern Front, which \
has carried out a string of raids on security posts in the region since the spring.

Residents of Karvash said the clashes lasted more than three hours and that many families fled towards the \
river as shells landed near their homes. A hospital director in Sarem said the wounded included four \
civilians, among them a girl aged seven.

The governor of Delmir announced a curfew across the district and ordered schools closed until further \
notice. The defence minister is expected to visit the area on Wednesday.

The government launched an offensive against the Northern Front last year, but the group still controls a \
string of villages along the mountain border.
"""

# The same event told by another outlet in its own words: same figures, same places, not a copy.
OTHER_OUTLET = """\
At least 14 troops died when gunmen stormed a military post outside Karvash, a town in the north of Delmir, \
early on Tuesday, according to officials who spoke on condition of anonymity.

Witnesses described a coordinated raid involving several vehicles. Two assailants detonated explosive vests \
at the entrance before the rest of the group opened fire, said a resident who gave only his first name, Hamid.

The defence ministry put the number of wounded at 22 and said nine of the assailants died when troops fought \
back. Military helicopters later flew in reinforcements from Sarem.

Officials pointed the finger at the Northern Front, an armed movement that has targeted police and army \
positions across the province in recent months, though it has not commented on the raid.

A doctor at the main hospital in Sarem said four of the injured were civilians, including a seven-year-old \
girl who had shrapnel wounds to her legs.

Authorities imposed a curfew on the district on Tuesday afternoon and schools will remain closed. Many \
families from outlying villages have moved in with relatives in Sarem, fearing further violence.

The armed forces began a campaign to push the Northern Front out of the mountains along the border last \
year, with limited success.
"""

# Wire boilerplate that an agency appends to every story about the conflict.
BOILERPLATE = """\
The Northern Front emerged in 2016 from a split in an older insurgent movement and draws most of its \
fighters from the mountain districts along the border. It has been designated a terrorist organisation by \
the government, which accuses neighbouring states of giving it shelter and weapons.

The United Nations says more than 3,000 people have been killed in the conflict in the northern provinces \
since 2016 and that some 400,000 have fled their homes. Aid agencies have warned that access to the \
worst-hit areas remains limited because of the fighting and the many checkpoints on the roads.

Peace talks mediated by regional governments collapsed in March after the two sides failed to agree on a \
ceasefire line or on the release of prisoners held by both sides.
"""

LEAD_BEYLA = """\
Gunmen killed six police officers at a checkpoint on the main road outside the town of Beyla in Delmir \
province on Friday, a provincial spokesman said. Three other officers were wounded when the attackers \
opened fire from a passing car before escaping into the hills, the spokesman said. Police have sealed off \
the road and started searching the surrounding villages for the gunmen.
"""

LEAD_OSTRA = """\
An air strike killed 11 people, including five children, in the village of Ostra in the east of Tamsin \
province on Sunday, residents and a local medic said. The strike hit a house where two families were \
sheltering, and rescuers were still digging through the rubble late in the evening, the medic said. The \
air force said it had targeted a militant commander who was hiding in the village.
"""

# More boilerplate, for a wire story that is mostly background with a one-sentence lead.
MORE_BOILERPLATE = """\
Fighting in the north has intensified since the collapse of the talks, with both sides accusing the other \
of breaking a truce that had held for most of the winter. The army has moved additional brigades into \
Delmir and Tamsin and has stepped up air strikes on positions it says are used by the Northern Front to \
store weapons and train recruits.

Human rights groups have accused both the army and the Northern Front of failing to protect civilians and \
have called for an independent inquiry into strikes on residential areas. The government says it takes \
every precaution to avoid harming civilians and blames the militants for operating from villages.
"""

SHORT_BRIEF = "Gunmen killed two guards at a checkpoint near Karvash on Tuesday, police said."

TUESDAY = dt.date(2024, 3, 5)


def art(key: str, text: str, published: dt.date | None = None, **kw: object) -> CleanArticle:
    return CleanArticle(key=key, origin=f"test:{key}", text=text, original=text, published=published,
                        published_from="record" if published else None, **kw)  # type: ignore[arg-type]


def truncated(text: str, share: float) -> str:
    words = text.split()
    return " ".join(words[: int(len(words) * share)])


def swap(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def marks(articles: list[CleanArticle]) -> dict[str, tuple[str | None, float | None]]:
    return {a.key: (a.duplicate_of, a.similarity) for a in find_copies(articles)}


def measure(copy: str, original: str) -> tuple[float, float]:
    """(Jaccard, containment of copy in original) on the exact shingle sets."""
    a = dedupe._entry("copy", copy, None, 128)
    b = dedupe._entry("original", original, None, 128)
    assert a is not None and b is not None
    return dedupe._measure(a, b)


# ------------------------------------------------------------------ signatures

def test_signature_ignores_case_punctuation_and_spacing() -> None:
    a = signature("The army said 1,200 fighters, mostly from the north, had surrendered by Monday night.")
    b = signature("the ARMY said 1200 fighters -- mostly from the north --\n had surrendered by monday night")
    assert a.jaccard(b) == 1.0


def test_signature_bytes_round_trip() -> None:
    m = signature(ORIGINAL)
    b = signature_bytes(m)
    assert len(b) <= 17 + 4 * 128
    back = signature_from_bytes(b)
    assert back == m
    assert back.jaccard(signature(EDITED_COPY)) == m.jaccard(signature(EDITED_COPY))
    with pytest.raises(ValueError):
        signature_from_bytes(b[:-3])
    with pytest.raises(ValueError):
        signature_from_bytes(b"XXXX" + b[4:])


def test_figures_leave_out_years_dates_and_clock_times() -> None:
    text = ("Updated 2024-03-05 11:44 GMT. On 5 March 2024 at 10 am, twenty-five people and 2,000 fighters "
            "were counted; a dozen died, two hundred fled and 1.5 million are displaced. One of them said so.")
    assert dedupe._figures(text) == {25, 2000, 12, 200, 1_500_000, 1}


# ------------------------------------------------------------------ pairs

def test_exact_copy_points_at_the_smaller_key_when_nothing_else_decides() -> None:
    assert marks([art("wire-b", ORIGINAL), art("wire-a", ORIGINAL)]) == {
        "wire-a": (None, None), "wire-b": ("wire-a", 1.0)}


def test_copy_with_small_edits_is_found() -> None:
    jaccard, containment = measure(EDITED_COPY, ORIGINAL)
    assert jaccard >= JACCARD_MIN and containment >= CONTAINMENT_MIN
    out = marks([art("copy", EDITED_COPY, TUESDAY + dt.timedelta(days=1)), art("orig", ORIGINAL, TUESDAY)])
    assert out["orig"] == (None, None)
    assert out["copy"][0] == "orig"
    assert out["copy"][1] == round(max(jaccard, containment), 4)


def test_truncated_copy_is_found_by_containment() -> None:
    cut = truncated(ORIGINAL, 0.6)
    jaccard, containment = measure(cut, ORIGINAL)
    assert containment == 1.0 and jaccard < 0.65
    # Undated: the longer text is the original, whatever the keys say.
    assert marks([art("a-cut", cut), art("z-full", ORIGINAL)]) == {
        "a-cut": ("z-full", 1.0), "z-full": (None, None)}


def test_other_outlet_on_the_same_event_is_not_a_copy() -> None:
    assert max(measure(OTHER_OUTLET, ORIGINAL)) < 0.1
    out = marks([art("afp", ORIGINAL, TUESDAY), art("local", OTHER_OUTLET, TUESDAY)])
    assert out == {"afp": (None, None), "local": (None, None)}


def test_same_wire_template_with_a_different_lead_is_not_a_copy() -> None:
    # Half boilerplate, half lead: the exact measure is well below both thresholds.
    beyla, ostra = LEAD_BEYLA + BOILERPLATE, LEAD_OSTRA + BOILERPLATE
    jaccard, containment = measure(beyla, ostra)
    assert jaccard < JACCARD_MIN and containment < CONTAINMENT_MIN
    assert marks([art("beyla", beyla), art("ostra", ostra)]) == {"beyla": (None, None), "ostra": (None, None)}


def test_mostly_boilerplate_with_a_new_figure_is_not_a_copy() -> None:
    # Two stories that are almost all background, each with its own one-sentence lead. The text
    # measure says "copy"; but each carries a figure the other lacks, and a copy adds a source,
    # never a figure: marking either as a copy would drop an incident from the ledger.
    beyla = LEAD_BEYLA.split(". ")[0] + ".\n\n" + BOILERPLATE + MORE_BOILERPLATE
    ostra = LEAD_OSTRA.split(". ")[0] + ".\n\n" + BOILERPLATE + MORE_BOILERPLATE
    assert max(measure(beyla, ostra)) >= CONTAINMENT_MIN
    assert marks([art("beyla", beyla), art("ostra", ostra)]) == {"beyla": (None, None), "ostra": (None, None)}
    # The same story re-sent without its lead adds no figure: that one is a copy.
    assert marks([art("beyla", beyla), art("resent", BOILERPLATE + MORE_BOILERPLATE)])["resent"][0] == "beyla"


def test_short_texts_are_never_copies() -> None:
    assert marks([art("a", SHORT_BRIEF), art("b", SHORT_BRIEF)]) == {"a": (None, None), "b": (None, None)}


def test_an_article_is_never_its_own_copy() -> None:
    same = art("only", ORIGINAL)
    assert marks([same, same]) == {"only": (None, None)}
    with pytest.raises(StageError):
        find_copies([same, art("only", OTHER_OUTLET)])


# ------------------------------------------------------------------ groups

CHAIN_1 = [("defense ministry", "defence ministry"), ("pickup trucks", "pick-up lorries"),
           ("reporters", "journalists"), ("fled towards", "ran towards"), ("further notice", "further orders"),
           ("mountain border", "mountainous frontier"), ("shortly before", "just before"),
           ("string of raids", "series of raids"), ("blamed fighters", "blamed gunmen")]
CHAIN_2 = [("Militants killed", "Insurgents killed"), ("army checkpoint", "military checkpoint"),
           ("machine guns", "heavy machine guns"), ("gate of the compound", "entrance of the base"),
           ("provincial capital", "regional capital"), ("immediately claimed", "has yet claimed"),
           ("clashes lasted", "battle lasted"), ("hospital director", "doctor"),
           ("announced a curfew", "declared a curfew"), ("launched an offensive", "began an offensive")]


def chain_texts() -> tuple[str, str, str]:
    middle = swap(ORIGINAL, CHAIN_1)
    return ORIGINAL, middle, swap(middle, CHAIN_2)


def test_chain_resolves_to_the_root() -> None:
    first, middle, last = chain_texts()
    assert not dedupe._is_copy(*(dedupe._entry(k, t, None, 128) for k, t in (("l", last), ("f", first))))  # type: ignore[arg-type]
    arts = [art("a", first, TUESDAY), art("b", middle, TUESDAY + dt.timedelta(1)),
            art("c", last, TUESDAY + dt.timedelta(2))]
    for order in itertools.permutations(arts):
        out = {a.key: a.duplicate_of for a in find_copies(list(order))}
        assert out == {"a": None, "b": "a", "c": "a"}


def test_copy_without_a_date_inherits_the_originals() -> None:
    out = {a.key: a for a in find_copies([art("copy", EDITED_COPY), art("orig", ORIGINAL, TUESDAY)])}
    assert out["copy"].duplicate_of == "orig"
    assert (out["copy"].published, out["copy"].published_from) == (TUESDAY, "copy")
    assert (out["orig"].published, out["orig"].published_from) == (TUESDAY, "record")


def test_earliest_date_beats_length() -> None:
    cut = truncated(ORIGINAL, 0.6)
    out = marks([art("full", ORIGINAL, TUESDAY + dt.timedelta(1)), art("cut", cut, TUESDAY)])
    # The shorter report came first; the longer one adds text, so it is not a trimmed copy of it,
    # and Jaccard (~0.6) alone decides.
    jaccard, containment = measure(ORIGINAL, cut)
    assert jaccard < JACCARD_MIN and containment < CONTAINMENT_MIN
    assert out == {"cut": (None, None), "full": (None, None)}


def group_batch() -> list[CleanArticle]:
    first, middle, last = chain_texts()
    return [
        art("orig", ORIGINAL, TUESDAY), art("exact", ORIGINAL), art("edited", EDITED_COPY),
        art("cut", truncated(ORIGINAL, 0.6), TUESDAY), art("other", OTHER_OUTLET, TUESDAY),
        art("beyla", LEAD_BEYLA + BOILERPLATE), art("ostra", LEAD_OSTRA + BOILERPLATE),
        art("mid", middle, TUESDAY + dt.timedelta(1)), art("last", last, TUESDAY + dt.timedelta(2)),
        art("brief", SHORT_BRIEF),
    ]


def test_order_independent_and_stable_on_rerun() -> None:
    batch = group_batch()
    expected = {a.key: a for a in find_copies(batch)}
    assert {k: a.duplicate_of for k, a in expected.items()} == {
        "orig": None, "exact": "orig", "edited": "orig", "cut": "orig", "other": None,
        "beyla": None, "ostra": None, "mid": "orig", "last": "orig", "brief": None}
    rng = random.Random(7)
    for _ in range(25):
        shuffled = batch[:]
        rng.shuffle(shuffled)
        out = find_copies(shuffled)
        assert [a.key for a in out] == [a.key for a in shuffled]
        assert {a.key: a for a in out} == expected
    again = find_copies(list(expected.values()))
    assert {a.key: a for a in again} == expected


# ------------------------------------------------------------------ a known index from a previous run

@pytest.mark.parametrize("as_signature", [False, True])
def test_known_index_finds_a_copy_in_a_new_batch(as_signature: bool) -> None:
    known = CopyIndex()
    stored = signature_from_bytes(signature_bytes(signature(ORIGINAL))) if as_signature else ORIGINAL
    known.add("stored-1", stored, TUESDAY)
    known.add("stored-2", LEAD_BEYLA + BOILERPLATE, TUESDAY)
    batch = [art("new-copy", EDITED_COPY), art("new-other", OTHER_OUTLET, TUESDAY),
             art("new-ostra", LEAD_OSTRA + BOILERPLATE)]
    out = {a.key: a for a in find_copies(batch, known)}
    assert out["new-copy"].duplicate_of == "stored-1"
    assert (out["new-copy"].published, out["new-copy"].published_from) == (TUESDAY, "copy")
    assert out["new-other"].duplicate_of is None and out["new-ostra"].duplicate_of is None
    found = known.find("new-copy", EDITED_COPY)
    assert found is not None and found[0] == "stored-1" and found[1] >= JACCARD_MIN
    assert type(found[1]) is float and type(out["new-copy"].similarity) is float
    assert known.find("new-other", OTHER_OUTLET) is None
    assert known.find("stored-2", LEAD_BEYLA + BOILERPLATE) is None   # never its own copy
    assert len(known) == 2   # find_copies only reads the index


def test_known_report_wins_a_tie() -> None:
    known = CopyIndex()
    known.add("stored", ORIGINAL, TUESDAY)
    out = find_copies([art("a-new", ORIGINAL, TUESDAY)], known)
    assert (out[0].duplicate_of, out[0].similarity) == ("stored", 1.0)


def test_a_new_earlier_report_demotes_a_stored_one(caplog: pytest.LogCaptureFixture) -> None:
    known = CopyIndex()
    known.add("stored", ORIGINAL, TUESDAY + dt.timedelta(1))
    with caplog.at_level("INFO", logger="tally.stages.dedupe"):
        out = find_copies([art("earlier", EDITED_COPY, TUESDAY)], known)
    assert out[0].duplicate_of is None
    assert "stored report stored is now a copy of earlier" in caplog.text


def test_signature_with_other_num_perm_is_refused() -> None:
    with pytest.raises(ValueError, match="permutations"):
        CopyIndex(num_perm=64).add("x", signature(ORIGINAL))


def test_known_index_resolves_stored_copies_to_their_root() -> None:
    first, middle, last = chain_texts()
    known = CopyIndex()
    known.add("a", first, TUESDAY)
    known.add("b", middle, TUESDAY + dt.timedelta(1), copy_of="a")
    assert known.find("c", last) == ("a", dedupe._score(
        dedupe._entry("c", last, None, 128), dedupe._entry("a", first, None, 128)))  # type: ignore[arg-type]
    out = find_copies([art("c", last)], known)
    assert out[0].duplicate_of == "a"


# ------------------------------------------------------------------ shared seeds

def test_seed_001_is_a_copy_of_000_and_no_other_pair_is() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"shared seeds folder {SEEDS} is absent (it lives outside the repo)")
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("00[0-4]_*.txt"))}
    assert sorted(texts) == ["000", "001", "002", "003", "004"]
    texts["001"] = texts["001"].split("\nDisclaimer:")[0]   # what the cleaner removes
    out = find_copies([art(k, t) for k, t in texts.items()])
    assert {a.key: a.duplicate_of for a in out} == {
        "000": None, "001": "000", "002": None, "003": None, "004": None}
