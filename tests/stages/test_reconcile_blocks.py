"""Blocking in reconcile (date window, country) only skips clusters a claim could not join: the incidents are
those of comparing every claim with every cluster."""
import datetime as dt
import random

from tally.models import Claim, CountRange, Place
from tally.stages import reconcile as rc

COUNTRIES = [("Syria", "SY"), ("Iraq", "IQ"), ("Yemen", "YE")]


def _claim(rng: random.Random, i: int) -> Claim:
    day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 40))
    span = rng.choice([0, 0, 0, 1, 6])
    flags = ("date-from-publication",) if rng.random() < 0.2 else ()
    places: tuple[Place, ...] = ()
    if rng.random() < 0.7:
        name, cc = rng.choice(COUNTRIES)
        town = rng.choice(["A", "B", "C"]) + cc
        places = (Place(town, town, country=name, country_code=cc),)
    undated = rng.random() < 0.05
    return Claim(id=f"c{i:03d}", article=f"r{rng.randint(0, 60)}", kind="killed", category="civilian", side=None,
                 figure=CountRange(rng.randint(1, 9), None), date_from=None if undated else day - dt.timedelta(days=span),
                 date_to=None if undated else day, places=places, perpetrator=rng.choice([None, "IS", "army"]),
                 event_type=rng.choice(["air_strike", "attack", "shelling", "other"]), source=None, stance="asserted",
                 quote="q", start=rng.randint(0, 500), end=600, flags=flags)


def _all_pairs(claims, regions):
    """The greedy of reconcile.cluster without blocking: every claim against every cluster."""
    ordered = sorted(claims, key=lambda c: (c.date_from or dt.date.min, c.article, c.start, c.id))
    clusters = []
    for c in ordered:
        land = rc._land(c, regions)
        best = None
        for i, k in enumerate(clusters):
            reason = rc._compatible(c, k, land)
            if reason is not None and (best is None or rc._score(c, k) > best[0]):
                best = (rc._score(c, k), i, reason)
        if best is None:
            clusters.append(rc._Cluster([c], [f"{c.id}: first claim"], lands=set(land)))
        else:
            clusters[best[1]].add(c, f"{c.id}: {best[2]}")
            clusters[best[1]].lands |= land
    return [(tuple(x.id for x in k.claims), tuple(k.reasons)) for k in clusters]


def test_blocked_clustering_equals_comparing_every_cluster():
    for seed in range(25):
        rng = random.Random(seed)
        claims = [_claim(rng, i) for i in range(rng.randint(5, 120))]
        regions = {f"r{a}": (rng.choice([None, "Syria", "Iraq"]), None) for a in range(61)}
        got = [(tuple(x.id for x in k.claims), tuple(k.reasons)) for k in rc.cluster(claims, regions)]
        assert got == _all_pairs(claims, regions), f"seed {seed}"


def test_a_claim_without_a_place_stays_in_its_reports_country():
    day = dt.date(2023, 3, 1)
    placed = Claim("a", "r1", "killed", "civilian", None, CountRange(5, 5), day, day,
                   (Place("Ramadi", "Ramadi", country="Iraq", country_code="IQ"),), None, "attack", None, "asserted",
                   "q", 0, 10)
    bare = Claim("b", "r2", "killed", "civilian", None, CountRange(3, 3), day, day, (), None, "attack", None,
                 "asserted", "q", 0, 10)
    assert len(rc.cluster([placed, bare], {"r1": ("Iraq", None), "r2": ("Yemen", None)})) == 2
    assert len(rc.cluster([placed, bare], {"r1": ("Iraq", None), "r2": ("Iraq", None)})) == 1
    assert len(rc.cluster([placed, bare], {})) == 1   # no country known: it may join any
