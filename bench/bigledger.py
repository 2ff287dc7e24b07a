"""A large synthetic ledger for the query-speed benchmark (bench/queryspeed.py): N claims in about N/6 incidents.

    .venv/bin/python -m bench.bigledger 1000000                 # SQLite, cached under ~/.cache/tally-bench
    .venv/bin/python -m bench.bigledger 5000 --pg postgresql+psycopg://tally@127.0.0.1:5432/postgres

Records are drawn from a seeded generator (a spread of countries, regions, places, dates over eleven years,
perpetrators, categories, claimants and outlets; a few incidents with many reports, most with one or two) and
written through the Store's own bulk paths (``save_reports`` for reports and claims, ``replace_ledger`` for
incidents and tallies), not the NLP pipeline, so a million claims take minutes. The ledger is cached, keyed by
seed and size: a SQLite file under ~/.cache/tally-bench, or a PostgreSQL database named
tally_bench_v<version>_s<seed>_n<size>
on the server given; a build stopped half-way is started over.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
import zlib
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa

from tally.models import Claim, CleanArticle, CountRange, Figure, Incident, Place, Tally
from tally.store import schema
from tally.store.db import Store

CACHE = Path(os.environ.get("TALLY_BENCH_CACHE", Path.home() / ".cache" / "tally-bench"))
DONE_KEY = "bench_ledger"
# (country, weight, {admin1: [(place, lat, lon)]}): made-up place names, so no rule can lean on a real report
REGIONS: list[tuple[str, int, dict[str, list[tuple[str, float, float]]]]] = [
    ("Syria", 30, {"Idlib": [("Sarmin", 35.9, 36.7), ("Kafr Tal", 35.7, 36.6)],
                   "Aleppo": [("Bab Hadid", 36.2, 37.1), ("Tal Rifa", 36.5, 37.1)],
                   "Deir ez-Zor": [("Hajin Wadi", 34.8, 40.8)]}),
    ("Iraq", 18, {"Diyala": [("Baqubah", 33.7, 44.6), ("Khalis East", 33.8, 44.5)],
                  "Nineveh": [("Tal Afar North", 36.4, 42.4)], "Anbar": [("Rawa Bend", 34.5, 41.9)]}),
    ("Yemen", 14, {"Taiz": [("Mawza Hills", 13.3, 43.5)], "Marib": [("Sirwah", 15.4, 45.0)],
                   "Hodeidah": [("Hays Coast", 13.9, 43.5)]}),
    ("Somalia", 10, {"Hiran": [("Beledweyne", 4.7, 45.2)], "Lower Shabelle": [("Marka Road", 1.7, 44.8)]}),
    ("Afghanistan", 9, {"Helmand": [("Sangin Valley", 32.1, 64.8)], "Kunduz": [("Chahar Dara", 36.7, 68.7)]}),
    ("Nigeria", 7, {"Borno": [("Gwoza Ridge", 11.1, 13.7), ("Bama Plain", 11.5, 13.7)]}),
    ("Mali", 5, {"Mopti": [("Bandiagara Edge", 14.3, -3.6)], "Gao": [("Ansongo Ford", 15.7, 0.5)]}),
    ("Ukraine", 4, {"Donetsk": [("Avdiivka South", 48.1, 37.7)], "Kharkiv": [("Kupiansk Rail", 49.7, 37.6)]}),
    ("Sudan", 2, {"North Darfur": [("El Fasher West", 13.6, 25.3)]}),
    ("Libya", 1, {"Tripoli": [("Ain Zara", 32.8, 13.2)]}),
]
PERPETRATORS = ["Islamic State", "government forces", "coalition forces", "al-Shabaab", "Boko Haram", "Taliban",
                "rebel groups", "Houthi forces", "unknown gunmen", "militia", "RSF", "armed forces"]
SOURCES = ["the health ministry", "the observatory", "local officials", "police", "medics", "a hospital director",
           "the army", "civil defence", "a rights group", "residents", "the UN mission", "a tribal elder"]
OUTLETS = [f"outlet-{i:02d}.example" for i in range(40)]
VERBS = ["killed", "died in", "lost their lives in", "were killed by"]
EVENTS = {"air_strike": "an air strike", "shelling": "shelling", "armed_clash": "clashes",
          "suicide_bombing": "a suicide bombing", "ied_bomb": "a roadside bomb", "attack": "an attack",
          "execution": "executions", "other": "violence"}
START, DAYS = dt.date(2015, 1, 1), 11 * 365


VERSION = 2   # of the generator: a ledger cached by another version is built again


def ledger_name(seed: int, size: int) -> str:
    return f"tally_bench_v{VERSION}_s{seed}_n{size}"


def build(size: int, seed: int = 1, pg: str | None = None, log: Any = print) -> str:
    """The URL of a ledger of ``size`` claims for ``seed``: the cached one when complete, else built now."""
    url = _pg_url(pg, ledger_name(seed, size)) if pg else f"sqlite:///{CACHE / (ledger_name(seed, size) + '.db')}"
    if _complete(url):
        return url
    started = time.perf_counter()
    if pg:
        _recreate_pg(pg, ledger_name(seed, size))
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{CACHE / ledger_name(seed, size)}.db{suffix}").unlink(missing_ok=True)
    store = Store(url)
    incidents, tallies = _write_reports(store, size, seed)
    store.replace_ledger(incidents, tallies)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as cx:
        cx.execute(sa.text("VACUUM ANALYZE" if store.engine.dialect.name == "postgresql" else "ANALYZE"))
    with store.engine.begin() as cx:
        cx.execute(sa.insert(schema.meta).values(key=DONE_KEY, value=f"seed={seed} size={size}"))
    store.engine.dispose()
    log(f"built {size} claims, {len(incidents)} incidents in {time.perf_counter() - started:.0f} s: "
        f"{sa.engine.make_url(url).render_as_string(hide_password=True)}")
    return url


def claims(url: str) -> int:
    """How many claims the ledger at ``url`` holds."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as cx:
            return int(cx.execute(sa.select(sa.func.count()).select_from(schema.claims)).scalar() or 0)
    finally:
        engine.dispose()


def _pg_url(admin: str, name: str) -> str:
    return sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)


def _recreate_pg(admin: str, name: str) -> None:
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as cx:
        cx.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        cx.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _complete(url: str) -> bool:
    if url.startswith("sqlite") and not Path(sa.engine.make_url(url).database or "").exists():
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as cx:
            return cx.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == DONE_KEY)).first() is not None
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def _write_reports(store: Store, size: int, seed: int, batch: int = 4000) -> tuple[list[Incident], list[Tally]]:
    """Write reports with their claims in bulk batches; returns the incidents and tallies they make."""
    rng = random.Random(seed)
    incidents: list[Incident] = []
    tally_claims: list[Claim] = []
    pending: list[tuple[CleanArticle, None, tuple[str | None, str | None], list[Claim], list[Any]]] = []
    made = 0
    for reports, incident, tally_part in _incidents(rng, size, seed):
        incidents.append(incident)
        tally_claims += tally_part
        made += sum(len(r[3]) for r in reports)   # the tally claim is among its report's claims
        pending += reports
        if len(pending) >= batch:
            store.save_reports(pending)
            pending = []
        if made >= size:
            break
    store.save_reports(pending)
    return incidents, _tallies(tally_claims)


def _incidents(rng: random.Random, size: int, seed: int) -> Iterator[tuple[list[Any], Incident, list[Claim]]]:
    weights = [w for _, w, _ in REGIONS]
    for n in range(size):
        country, _, admins = rng.choices(REGIONS, weights)[0]
        admin1 = rng.choice(sorted(admins))
        name, lat, lon = rng.choice(admins[admin1])
        place = Place(name, name, country, None, admin1, lat, lon, 1, "town", None, "bench")
        day = START + dt.timedelta(days=int(rng.triangular(0, DAYS, DAYS * 0.8)))
        event = rng.choice(list(EVENTS))
        perp = rng.choice(PERPETRATORS) if rng.random() < 0.7 else None
        n_claims = min(60, 1 + int(rng.expovariate(1 / 4.9)))
        ident = f"inc-s{seed}-{n:07d}"
        reports, claims = _reports(rng, f"s{seed}-{n:07d}", n_claims, day, place, perp, event)
        tally_part = [_tally_claim(rng, reports[0][0], day, country, n)] if rng.random() < 0.06 else []
        if tally_part:
            reports[0][3].append(tally_part[0])
        yield reports, _incident(rng, ident, claims, day, place, perp, event), tally_part


def _reports(rng: random.Random, key: str, n_claims: int, day: dt.date, place: Place, perp: str | None,
             event: str) -> tuple[list[Any], list[Claim]]:
    reports: list[Any] = []
    claims: list[Claim] = []
    for r in range(max(1, (n_claims + 2) // 3)):
        art_key = f"bench-{key}-{r}"
        quotes = []
        for c in range(min(3, n_claims - len(claims))):
            kind = "killed" if rng.random() < 0.8 else "injured"
            cat = rng.choices(("civilian", "combatant", "unknown"), (5, 3, 2))[0]
            low = max(1, int(rng.paretovariate(1.3)))
            high = low if rng.random() < 0.7 else low + rng.randint(1, 10)
            source = rng.choice(SOURCES)
            quote = (f"{source.capitalize()} said {low} {'people' if cat == 'unknown' else cat + 's'} "
                     f"{'were ' + kind if kind == 'injured' else rng.choice(VERBS)} {EVENTS[event]} "
                     f"near {place.name}, {place.admin1}.")
            start = sum(len(q) + 1 for q in quotes)
            quotes.append(quote)
            claims.append(Claim(f"c-{key}-{r}-{c}", art_key, kind, cat, None, CountRange(low, high), day, day,
                                (place,), perp, event, source, "asserted", quote, start, start + len(quote),
                                number_text=str(low), number_start=start + quote.index(str(low)),
                                number_end=start + quote.index(str(low)) + len(str(low)),
                                confidence=round(rng.uniform(0.5, 0.95), 2)))
        text = " ".join(quotes)
        art = CleanArticle(art_key, f"bench:{art_key}", text, text, url=f"https://{rng.choice(OUTLETS)}/{art_key}",
                           title=f"{EVENTS[event].capitalize()} near {place.name}",
                           published=day + dt.timedelta(days=rng.randint(0, 2)), published_from="record",
                           outlet=rng.choice(OUTLETS), content_hash=f"{zlib.crc32(art_key.encode()):08x}")
        reports.append((art, None, (place.country, place.admin1), [c for c in claims if c.article == art_key], []))
    return reports, claims


def _incident(rng: random.Random, ident: str, claims: list[Claim], day: dt.date, place: Place, perp: str | None,
              event: str) -> Incident:
    def figure(cs: list[Claim]) -> Figure | None:
        if not cs:
            return None
        lows = sorted(c.figure.low or 0 for c in cs)
        return Figure(lows[0], max(c.figure.high or c.figure.low or 0 for c in cs), lows[len(lows) // 2])

    killed: dict[str, Figure] = {}
    for cat in ("civilian", "combatant", "unknown"):
        if f := figure([c for c in claims if c.kind == "killed" and c.category == cat]):
            killed[cat] = f
    if killed:
        killed["total"] = Figure(*(sum(getattr(f, a) or 0 for f in killed.values()) for a in ("low", "high", "best")))
    injured = {"total": f} if (f := figure([c for c in claims if c.kind == "injured"])) else {}
    contested = rng.random() < 0.05
    arts = tuple(dict.fromkeys(c.article for c in claims))
    return Incident(ident, tuple(c.id for c in claims), day, day, place.country, place.admin1, (place,), place.lat,
                    place.lon, 1, event, perp, killed, injured, {}, tuple(sorted({c.source or "" for c in claims})),
                    contested, ("armed forces",) if contested else (), arts,
                    tuple((c.article, c.quote) for c in claims[:3]), ("bench: one synthetic event",),
                    round(rng.uniform(0.4, 0.99), 2))


def _tally_claim(rng: random.Random, art: CleanArticle, day: dt.date, country: str, n: int) -> Claim:
    low = rng.randint(50, 5000)
    quote = f"Since the start of the year {low} people have been killed in {country}."
    return Claim(f"t-{art.key}", art.key, "killed", "unknown", None, CountRange(low, low), day, day, (), None, "other",
                 rng.choice(SOURCES), "asserted", quote, 0, len(quote), scope="tally", period_label="this year",
                 number_text=str(low), confidence=0.7)


def _tallies(claims: list[Claim], per: int = 5) -> list[Tally]:
    out = []
    for i in range(0, len(claims), per):
        group = claims[i:i + per]
        last = group[-1]
        fig = Figure(last.figure.low, last.figure.high, last.figure.low)
        out.append(Tally(f"tally-{i // per:06d}", "country", last.places[0].country if last.places else None, None,
                         last.date_from, {"total": fig}, {}, tuple(sorted({c.source or "" for c in group})),
                         tuple(c.article for c in group), tuple(c.id for c in group),
                         tuple((c.article, c.quote) for c in group[:1])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("size", type=int, help="claims")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pg", help="admin URL of a PostgreSQL server (a role that may CREATE DATABASE)")
    args = ap.parse_args()
    print(build(args.size, args.seed, args.pg))


if __name__ == "__main__":
    main()
