"""The ledger from Python, for notebooks: ``ledger = tally.open("tally.db")`` (or a PostgreSQL URL).

``ledger.incidents(...)``, ``ledger.tallies(...)`` and ``ledger.claims(...)`` return ``Records``: a list of
frozen, typed records that converts with ``.to_pandas()`` and ``.to_arrow()``. The filters are those of the
JSON API (``tally/readout/query.py``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Iterable, Mapping, TypeVar

from tally.errors import ConfigError, StoreError
from tally.readout import query
from tally.store.db import Store, database_url

if TYPE_CHECKING:
    import pandas
    import pyarrow

Range = Mapping[str, "int | None"]          # {"min", "max", "best"}; max None: open-ended


def _date(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v) if v else None


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One incident (README "Export fields"), with the best estimates as plain columns for analysis."""

    id: str
    date_from: dt.date | None
    date_to: dt.date | None
    country: str | None
    admin1: str | None
    places: tuple[str, ...]
    lat: float | None
    lon: float | None
    geo_precision: int | None
    event_type: str
    perpetrator: str | None
    killed_best: int | None
    killed_min: int | None
    killed_max: int | None
    killed_civilian: int | None
    killed_combatant: int | None
    killed_unknown: int | None
    injured_best: int | None
    killed: Mapping[str, Range]
    injured: Mapping[str, Range]
    sources: tuple[str, ...]
    outlets: tuple[str, ...]
    contested: bool
    contested_by: tuple[str, ...]
    articles: tuple[str, ...]
    claims: tuple[str, ...]
    confidence: float

    @classmethod
    def from_doc(cls, d: Mapping[str, Any]) -> IncidentRecord:
        killed, injured = d.get("killed") or {}, d.get("injured") or {}
        total = killed.get("total") or {}
        return cls(
            id=d["id"], date_from=_date(d.get("date_from")), date_to=_date(d.get("date_to")),
            country=d.get("country"), admin1=d.get("admin1"), places=tuple(d.get("places") or ()),
            lat=d.get("lat"), lon=d.get("lon"), geo_precision=d.get("geo_precision"), event_type=d["event_type"],
            perpetrator=d.get("perpetrator"), killed_best=total.get("best"), killed_min=total.get("min"),
            killed_max=total.get("max"), killed_civilian=(killed.get("civilian") or {}).get("best"),
            killed_combatant=(killed.get("combatant") or {}).get("best"),
            killed_unknown=(killed.get("unknown") or {}).get("best"),
            injured_best=(injured.get("total") or {}).get("best"), killed=killed, injured=injured,
            sources=tuple(d.get("sources") or ()), outlets=tuple(d.get("outlets") or ()),
            contested=bool(d.get("contested")),
            contested_by=tuple(d.get("contested_by") or ()), articles=tuple(d.get("articles") or ()),
            claims=tuple(d.get("claims") or ()), confidence=float(d.get("confidence") or 0.0))


@dataclass(frozen=True, slots=True)
class TallyRecord:
    """A running total ("414 militants since 10 September")."""

    id: str
    scope: str
    country: str | None
    period_from: dt.date | None
    as_of: dt.date | None
    killed: Mapping[str, Range]
    injured: Mapping[str, Range]
    sources: tuple[str, ...]
    articles: tuple[str, ...]

    @classmethod
    def from_doc(cls, d: Mapping[str, Any]) -> TallyRecord:
        return cls(id=d["id"], scope=d["scope"], country=d.get("country"), period_from=_date(d.get("period_from")),
                   as_of=_date(d.get("as_of")), killed=d.get("killed") or {}, injured=d.get("injured") or {},
                   sources=tuple(d.get("sources") or ()), articles=tuple(d.get("articles") or ()))


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One figure a report attributes to someone, with its evidence sentence."""

    id: str
    article: str
    incident: str | None
    tally: str | None
    kind: str
    category: str
    side: str | None
    min: int | None
    max: int | None
    date_from: dt.date | None
    date_to: dt.date | None
    places: tuple[str, ...]
    perpetrator: str | None
    event_type: str | None
    source: str | None
    stance: str
    scope: str
    quote: str
    number: str
    confidence: float
    flags: tuple[str, ...]

    @classmethod
    def from_doc(cls, d: Mapping[str, Any]) -> ClaimRecord:
        return cls(id=d["id"], article=d["article"], incident=d.get("incident"), tally=d.get("tally"),
                   kind=d["kind"], category=d["category"], side=d.get("side"), min=d.get("min"), max=d.get("max"),
                   date_from=_date(d.get("date_from")), date_to=_date(d.get("date_to")),
                   places=tuple(d.get("places") or ()), perpetrator=d.get("perpetrator"),
                   event_type=d.get("event_type"), source=d.get("source"), stance=d["stance"], scope=d["scope"],
                   quote=d["quote"], number=d.get("number") or "", confidence=float(d.get("confidence") or 0.0),
                   flags=tuple(d.get("flags") or ()))


R = TypeVar("R", IncidentRecord, TallyRecord, ClaimRecord)


class Records(list[R], Generic[R]):
    """A list of records of one type that converts to a pandas DataFrame or an Arrow table."""

    def __init__(self, kind: type[R], items: Iterable[R] = ()) -> None:
        super().__init__(items)
        self.kind = kind

    def to_dicts(self) -> list[dict[str, Any]]:
        """Plain dicts (tuples as lists), one per record, with the record's fields in order."""
        return [{k: list(v) if isinstance(v, tuple) else v for k, v in asdict(r).items()} for r in self]

    def to_pandas(self) -> pandas.DataFrame:
        import pandas as pd

        names = [f.name for f in fields(self.kind)]
        frame = pd.DataFrame(self.to_dicts(), columns=names)
        for name in names:
            if name.startswith(("date_", "as_of", "period_")):
                frame[name] = pd.to_datetime(frame[name])
        return frame

    def to_arrow(self) -> pyarrow.Table:
        import pyarrow as pa

        names = [f.name for f in fields(self.kind)]
        if not self:
            return pa.table({n: pa.array([], pa.null()) for n in names})
        return pa.Table.from_pylist(self.to_dicts())


class Ledger:
    """A ledger database opened for reading. Filters are keywords; dates are ``datetime.date`` or ISO strings."""

    def __init__(self, db: str | None = None) -> None:
        self.store = open_store(db)
        self.url = self.store.url

    def __repr__(self) -> str:
        return f"<tally.Ledger {self.store.shown_url}>"

    def incidents(self, *, since: dt.date | str | None = None, until: dt.date | str | None = None,
                  country: str | None = None, admin1: str | None = None, place: str | None = None,
                  perpetrator: str | None = None, event_type: str | None = None, category: str | None = None,
                  contested: bool | None = None, min_confidence: float = 0.0, q: str | None = None,
                  sort: str = "date", descending: bool = False) -> Records[IncidentRecord]:
        """Every incident matching the filters (see ``query.IncidentQuery``), sorted."""
        iq = query.IncidentQuery(since=_as_date(since), until=_as_date(until), country=country, admin1=admin1,
                                 place=place, perpetrator=perpetrator, event_type=event_type, category=category,
                                 contested=contested, min_confidence=min_confidence, q=q, sort=sort,
                                 descending=descending)
        return Records(IncidentRecord, map(IncidentRecord.from_doc, query.all_incidents(self.store, iq)))

    def incident(self, ident: str) -> IncidentRecord | None:
        doc = query.incident(self.store, ident)
        return IncidentRecord.from_doc(doc) if doc else None

    def tallies(self, *, country: str | None = None, since: dt.date | str | None = None,
                until: dt.date | str | None = None) -> Records[TallyRecord]:
        docs = query.tallies(self.store, country=country, since=_as_date(since), until=_as_date(until))
        return Records(TallyRecord, map(TallyRecord.from_doc, docs))

    def claims(self, *, incident: str | None = None, article: str | None = None, kind: str | None = None,
               category: str | None = None, stance: str | None = None, scope: str | None = None,
               since: dt.date | str | None = None, until: dt.date | str | None = None,
               min_confidence: float = 0.0) -> Records[ClaimRecord]:
        docs = query.claims(self.store, incident=incident, article=article, kind=kind, category=category,
                            stance=stance, scope=scope, since=_as_date(since), until=_as_date(until),
                            min_confidence=min_confidence)
        return Records(ClaimRecord, map(ClaimRecord.from_doc, docs))


def open_store(db: str | None) -> Store:
    """The store behind ``db`` for reading: a SQLite file must exist (a typo should not make an empty ledger)."""
    url = database_url(db)
    path = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and path != ":memory:" and not Path(path).is_file():
        raise StoreError(f"no ledger at {path!r}: check the path, or create one with `tally ingest --db {path} ...`",
                         code="T404")
    return Store(db, mmap=True)


def _as_date(v: dt.date | str | None) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(v)
    except ValueError as exc:
        raise ConfigError(f"{v!r} is not a date; write it as YYYY-MM-DD") from exc


def open(db: str | None = None) -> Ledger:  # noqa: A001 - the notebook entry point, as in `tally.open(...)`
    """Open a ledger: a SQLite file path, a database URL, or (None) $TALLY_DB / tally.db."""
    return Ledger(db)
