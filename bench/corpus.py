"""A large, varied test corpus from our own templates and the demo corpus (examples/), as JSON Lines.

Every sentence here was written for this generator; places are real (GeoNames), events and figures are
invented. The mix (seeded, so the same size always gives the same corpus):

* casualty reports (~50%): a lead with a figure, place, date and perpetrator, follow-up figures, a claimant,
  sometimes a denial or a running total, background and site boilerplate (newsletter, paywall, related links);
* syndicated copies with edits (~15%): an earlier report under another outlet, a few words changed,
  boilerplate swapped, a line dropped;
* the demo reports (~5%) under new keys, with dates shifted;
* non-casualty news (~30%): markets, sport, weather, politics -- numbers, but no deaths.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any, Iterator

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# (town, province, country, perpetrators) -- towns the gazetteer knows
PLACES = [
    ("Sarmin", "Idlib", "Syria", ["Russian warplanes", "government forces"]),
    ("Ariha", "Idlib", "Syria", ["Russian warplanes", "government forces"]),
    ("Hajin", "Deir ez-Zor", "Syria", ["Islamic State", "the US-led coalition"]),
    ("Baqubah", "Diyala", "Iraq", ["Islamic State"]),
    ("Tikrit", "Salahuddin", "Iraq", ["Islamic State"]),
    ("Ramadi", "Anbar", "Iraq", ["Islamic State"]),
    ("Taiz", "Taiz", "Yemen", ["Houthi rebels", "the Saudi-led coalition"]),
    ("Hodeidah", "Hodeidah", "Yemen", ["Houthi rebels", "the Saudi-led coalition"]),
    ("Marib", "Marib", "Yemen", ["Houthi rebels"]),
    ("Beledweyne", "Hiiraan", "Somalia", ["al-Shabaab"]),
    ("Baidoa", "Bay", "Somalia", ["al-Shabaab"]),
    ("Afgooye", "Lower Shabelle", "Somalia", ["al-Shabaab"]),
    ("Kunduz", "Kunduz", "Afghanistan", ["the Taliban", "Islamic State"]),
    ("Jalalabad", "Nangarhar", "Afghanistan", ["Islamic State"]),
    ("Ghazni", "Ghazni", "Afghanistan", ["the Taliban"]),
    ("Kostiantynivka", "Donetsk", "Ukraine", ["Russian forces"]),
    ("Kharkiv", "Kharkiv", "Ukraine", ["Russian forces"]),
    ("Kherson", "Kherson", "Ukraine", ["Russian forces"]),
    ("Mopti", "Mopti", "Mali", ["jihadists linked to al-Qaeda"]),
    ("Gao", "Gao", "Mali", ["Islamic State"]),
    ("Beni", "North Kivu", "DR Congo", ["ADF rebels"]),
    ("Bunia", "Ituri", "DR Congo", ["CODECO militiamen"]),
    ("Konduga", "Borno", "Nigeria", ["Boko Haram"]),
    ("Maiduguri", "Borno", "Nigeria", ["Boko Haram", "ISWAP fighters"]),
    ("Djibo", "Sahel", "Burkina Faso", ["jihadists"]),
    ("Peshawar", "Khyber Pakhtunkhwa", "Pakistan", ["the Pakistani Taliban"]),
]
OUTLETS = ["levantwire.net", "horndispatch.com", "sahelpost.org", "kivutimes.com", "frontlinedaily.com",
           "regionalobserver.net", "wirewatch.info", "eveningcourier.com"]
VICTIMS = [("civilians", "civilian"), ("soldiers", "combatant"), ("people", "unknown"), ("villagers", "civilian"),
           ("militants", "combatant"), ("police officers", "combatant"), ("children", "civilian")]
EVENTS = [("an air strike", "air strikes hit"), ("shelling", "shells struck"), ("a roadside bomb", "a roadside bomb exploded in"),
          ("a suicide bombing", "a suicide bomber blew himself up in"), ("an attack", "gunmen attacked"),
          ("clashes", "fighting broke out in")]
CLAIMANTS = ["a local official said", "the health ministry said", "police said", "a hospital director told reporters",
             "residents said", "the governor's office said in a statement", "a military spokesman said"]
WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
         11: "eleven", 12: "twelve", 15: "fifteen", 20: "twenty"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
BOILER = ["Sign up for our morning newsletter to get the day's top stories.",
          "Subscribe to continue reading. Plans start at $4.99 a month.",
          "Related: Aid agencies warn of funding gap as winter nears",
          "Share this article on social media.",
          "Read more: Ceasefire talks stall for a third week"]
BACKGROUND = [
    "The area has seen repeated violence over the past year, and aid groups say access remains difficult.",
    "Local authorities have called for more troops to protect the road to the provincial capital.",
    "Humanitarian agencies estimate that thousands of families have left the district since the spring.",
    "Markets in the town reopened last month after a long closure.",
    "The government has promised an inquiry, but similar pledges in the past produced no findings.",
]
OTHER_NEWS = [
    ("Central bank holds rates at {a} percent", "The central bank kept its main interest rate at {a} percent on {day}, "
     "citing inflation of {b} percent in the year to {month}. Analysts had expected a cut of {c} basis points. "
     "The currency rose {d} percent against the dollar after the decision, and bond yields fell slightly."),
    ("{team} win {x}-{y} to reach the cup final", "{team} beat their rivals {x}-{y} in front of {crowd} fans on {day}. "
     "The winning goal came in the {minute}th minute from a header at the far post. The coach said the squad "
     "had trained for {d} weeks for the match and praised the {b} young players in the side."),
    ("Heatwave to bring {a} degrees to the capital", "Forecasters said temperatures would reach {a} degrees "
     "Celsius on {day}, the highest since {year}. Schools will close {b} hours early and water rationing begins "
     "in {c} districts. Farmers said the harvest was already down {d} percent on last year."),
    ("Parliament passes budget by {x} votes to {y}", "Lawmakers approved the budget by {x} votes to {y} on {day} "
     "after a debate that lasted {d} hours. The plan raises spending on schools by {b} percent and cuts the "
     "fuel subsidy. The opposition said {c} amendments had been ignored."),
    ("Airport expansion to create {crowd} jobs", "The transport ministry said on {day} that the new terminal "
     "would handle {a} million passengers a year and create {crowd} jobs. Construction starts in {month} and "
     "should take {d} years. The project will cost about {b} billion dollars."),
]
TEAMS = ["City", "United", "Rovers", "Athletic", "Wanderers", "Rangers"]


def _num(rng: random.Random, n: int) -> str:
    return WORDS[n] if n in WORDS and rng.random() < 0.4 else str(n)


def _casualty(rng: random.Random, pub: dt.date) -> dict[str, Any]:
    town, province, country, perps = rng.choice(PLACES)
    perp = rng.choice(perps)
    killed, injured = rng.randint(2, 60), rng.randint(0, 80)
    victims, _cat = rng.choice(VICTIMS)
    event, verb = rng.choice(EVENTS)
    ago = rng.randint(0, 3)
    when = "on " + (pub - dt.timedelta(days=ago)).strftime("%A") if ago else "on " + pub.strftime("%A")
    claimant = rng.choice(CLAIMANTS)
    title = f"{event.capitalize()} in {country} kills {_num(rng, killed)} {victims}"
    lead = (f"{verb.capitalize()} the town of {town} in {province} province {when}, killing at least "
            f"{_num(rng, killed)} {victims}, {claimant}.")
    paras = [lead]
    if injured:
        paras.append(f"Another {_num(rng, injured)} people were wounded and taken to hospitals in {province}.")
    paras.append(f"Officials blamed {perp} for the {event.split(' ', 1)[-1]}.")
    if rng.random() < 0.15:
        paras.append(f"A spokesman for {perp} denied that civilians had been killed.")
    if rng.random() < 0.2:
        total = rng.randint(100, 900)
        paras.append(f"More than {total} people have been killed in {province} since January, according to a "
                     f"local monitoring group.")
    paras += rng.sample(BACKGROUND, 2)
    rng.shuffle(paras[1:])
    return {"title": title, "text": title + "\n\n" + "\n\n".join(paras + rng.sample(BOILER, rng.randint(0, 2)))}


def _other(rng: random.Random, pub: dt.date) -> dict[str, Any]:
    head, body = rng.choice(OTHER_NEWS)
    v = {"a": rng.randint(2, 45), "b": rng.randint(2, 30), "c": rng.randint(3, 60), "d": rng.randint(1, 12),
         "x": rng.randint(0, 5), "y": rng.randint(0, 4), "crowd": rng.randint(1000, 60000),
         "minute": rng.randint(10, 90), "team": rng.choice(TEAMS), "day": pub.strftime("%A"),
         "month": pub.strftime("%B"), "year": rng.randint(1990, 2015)}
    title = head.format(**v)
    return {"title": title, "text": title + "\n\n" + body.format(**v) + "\n\n" + rng.choice(BOILER)}


def _copy_of(rng: random.Random, rec: dict[str, Any]) -> dict[str, Any]:
    lines = [x for x in rec["text"].split("\n\n") if x not in BOILER]
    if len(lines) > 4 and rng.random() < 0.5:
        lines.pop(rng.randrange(2, len(lines)))   # a line dropped
    text = "\n\n".join(lines)
    for old, new in rng.sample([("said", "says"), ("killing", "leaving dead"), ("town", "city"),
                                ("wounded", "injured"), ("Officials", "Authorities")], 2):
        text = text.replace(old, new, 1)
    return {"title": rec["title"], "text": text + "\n\n" + rng.choice(BOILER)}


def _demo_records() -> list[dict[str, Any]]:
    recs = [json.loads(x) for x in (EXAMPLES / "reports.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    for f in sorted((EXAMPLES / "txt").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        recs.append({"id": f.stem, "title": text.splitlines()[0], "text": text})
    return recs


def records(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """``n`` reports as JSON-ready records (id, url, published, title, text), the same for the same seed."""
    for rec, _kind, _source in generate(n, seed):
        yield rec


def generate(n: int, seed: int = 1) -> Iterator[tuple[dict[str, Any], str, str | None]]:
    """``records(n, seed)`` with what the generator knows of each: its kind ("casualty", "copy" of an earlier
    casualty report, "demo" re-use of an examples/ report, "other" news) and, for a copy or a demo re-use, the
    id of its source (the copied record's id; for a demo re-use, the examples/ report's id)."""
    rng = random.Random(seed)
    demo = _demo_records()
    recent: list[tuple[dict[str, Any], str]] = []
    start = dt.date(2022, 1, 1)
    span = max(30, n // 40)   # about 40 reports a day, as a regional news monitor sees
    for i in range(n):
        key = f"g{seed}-{i:07d}"
        pub = start + dt.timedelta(days=i * span // n)
        roll = rng.random()
        source: str | None = None
        if roll < 0.15 and recent:
            original, source = rng.choice(recent)
            body, kind = _copy_of(rng, original), "copy"
        elif roll < 0.20:
            src = rng.choice(demo)
            body, kind, source = {"title": src.get("title"), "text": src["text"]}, "demo", str(src.get("id"))
        elif roll < 0.50:
            body, kind = _other(rng, pub), "other"
        else:
            body, kind = _casualty(rng, pub), "casualty"
            recent = (recent + [(body, key)])[-200:]
        outlet = rng.choice(OUTLETS)
        yield ({"id": key, "url": f"https://www.{outlet}/{pub:%Y/%m/%d}/story-{i}",
                "published": pub.isoformat(), **body}, kind, source)


def write(path: Path, n: int, seed: int = 1) -> Path:
    """Write the corpus once; an existing file of the same size and seed is reused."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records(n, seed):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path
