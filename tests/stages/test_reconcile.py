import datetime as dt
from dataclasses import replace
import random

from tally.models import Claim, CountRange, Denial, Place
from tally.stages.reconcile import reconcile

D = dt.date(2023, 3, 11)


def claim(cid, article, low, high, *, kind="killed", category="civilian", side=None, perp=None, event="air_strike",
          day=D, places=(), scope="incident", source="a monitor", start=0, period_from=None, label=None):
    return Claim(id=cid, article=article, kind=kind, category=category, side=side, figure=CountRange(low, high),
                 date_from=day, date_to=day, places=tuple(Place(p, p) for p in places), perpetrator=perp,
                 event_type=event, source=source, stance="asserted", quote=f"quote {cid}", start=start,
                 end=start + 10, scope=scope, period_from=period_from, period_label=label)


def run(claims, denials=()):
    order = {c.id: i for i, c in enumerate(claims)}
    published = {c.article: D for c in claims}
    return reconcile(claims, list(denials), order, published, {}, {})


def test_ranges_combine_lowest_min_highest_max_open_if_any_open():
    incs, _ = run([claim("a", "r1", 14, 14, places=["Town"]), claim("b", "r2", 14, None, places=["Town"]),
                   claim("c", "r2", 15, None, source="state TV", start=50)])
    assert len(incs) == 1
    k = incs[0].killed
    assert (k["civilian"].low, k["civilian"].high) == (14, None)
    assert k["civilian"].low <= k["civilian"].best
    assert set(incs[0].sources) == {"a monitor", "state TV"}


def test_total_is_the_sum_of_closed_parts_and_open_if_any_part_is_open():
    incs, _ = run([claim("a", "r1", 14, None), claim("b", "r1", 9, 9, category="combatant", start=20)])
    t = incs[0].killed["total"]
    assert (t.low, t.high) == (23, None)


def test_different_perpetrators_or_days_are_different_incidents():
    incs, _ = run([claim("a", "r1", 28, 28, perp="coalition", category="combatant"),
                   claim("b", "r1", 7, 7, perp="rebels", event="armed_clash", category="combatant", start=30),
                   claim("c", "r1", 41, None, day=D - dt.timedelta(days=2), start=60)])
    assert len(incs) == 3


def test_disjoint_towns_do_not_merge():
    incs, _ = run([claim("a", "r1", 5, 5, places=["North"]), claim("b", "r2", 6, 6, places=["South"])])
    assert len(incs) == 2


def test_order_of_claims_does_not_change_the_incidents():
    claims = [claim(str(i), f"r{i % 3}", i, i, perp=["x", "y"][i % 2], start=i) for i in range(1, 9)]
    base = sorted((sorted(i.claims), i.id) for i in run(claims)[0])
    for seed in range(5):
        shuffled = claims[:]
        random.Random(seed).shuffle(shuffled)
        order = {c.id: int(c.id) for c in claims}
        incs, _ = reconcile(shuffled, [], order, {c.article: D for c in claims}, {}, {})
        assert sorted((sorted(i.claims), i.id) for i in incs) == base


def test_denial_of_the_victims_side_contests():
    incs, _ = run([claim("a", "r1", 12, 12, category="combatant", side="SDF")],
                  [Denial("r1", "SDF", "SDF", "The alliance denied losing anyone.", 100, 130)])
    assert incs[0].contested and incs[0].contested_by


def test_tallies_are_kept_apart_and_merged_across_reports():
    claims = [claim("a", "r1", 360001, None, category="unknown", scope="tally", period_from=dt.date(2011, 1, 1)),
              claim("b", "r2", 360001, None, category="unknown", scope="tally", period_from=dt.date(2011, 1, 1))]
    incs, tallies = run(claims)
    assert incs == [] and len(tallies) == 1 and tallies[0].articles == ("r1", "r2")


def test_tallies_with_open_lower_bounds_sort_beside_closed_ones():
    """Regression: a report's tally holding "up to 60" (no minimum) beside "14" crashed the sort."""
    from tally.stages.reconcile import build_tallies

    since = dt.date(2018, 9, 10)
    claims = [claim("a", "r1", 14, 14, scope="tally", period_from=since),
              claim("b", "r1", None, 60, scope="tally", period_from=since, start=40)]
    assert len(build_tallies(claims, {}, {}, {})) == 1


def test_a_reports_smaller_figure_for_the_same_incident_is_a_part_not_a_lower_bound():
    incs, _ = run([claim("a", "r1", 4, 4, category="unknown", places=["Town"]),
                   claim("b", "r1", 1, 1, category="unknown", places=["Town"], start=80)])
    k = incs[0].killed["total"]
    assert (k.low, k.high) == (4, 4)


def test_claims_in_different_provinces_are_different_incidents():
    a = Place("Springfield", "Springfield", "United States", "US", "Illinois", kind="town", geonameid=1)
    b = Place("Salem", "Salem", "United States", "US", "Oregon", kind="town", geonameid=2)
    one = claim("a", "r1", 1, 1)
    incs, _ = run([replace(one, places=(a,)), replace(claim("b", "r2", 1, 1), places=(b,))])
    assert len(incs) == 2
