"""Tables of the ledger database (SQLAlchemy Core). ``create_all`` makes any that are missing; the
``meta`` table records the schema version for later migrations."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String,
                        Table, Text, func)

SCHEMA_VERSION = 1
metadata = MetaData()

meta = Table("meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text))

articles = Table(
    "articles", metadata,
    Column("key", String(512), primary_key=True),
    Column("seq", Integer, nullable=False),            # order of first arrival; stable
    Column("origin", Text), Column("url", Text), Column("title", Text),
    Column("published", Date), Column("published_from", String(16)),
    Column("outlet", String(256)), Column("language", String(16)),
    Column("text", Text, nullable=False), Column("original", Text, nullable=False),
    Column("removed", Text),                           # JSON list of {start, end, reason, text}
    Column("content_hash", String(64), nullable=False),
    Column("duplicate_of", String(512)), Column("similarity", Float),
    Column("signature", LargeBinary),                  # MinHash, to find copies in later runs
    Column("country", String(128)), Column("admin1", String(128)),
    Column("extra", Text),                             # JSON of fields kept from the record
    Column("extractor", String(64)),
    Column("ingested_at", String(32)),
)

claims = Table(
    "claims", metadata,
    Column("id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("article", String(512), ForeignKey("articles.key", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False), Column("category", String(16), nullable=False),
    Column("side", String(128)),
    Column("min", Integer), Column("max", Integer), Column("approximate", Boolean),
    Column("date_from", Date), Column("date_to", Date),
    Column("places", Text), Column("perpetrator", String(128)), Column("event_type", String(32)),
    Column("source", String(256)), Column("stance", String(16)),
    Column("quote", Text), Column("start", Integer), Column("end", Integer),
    Column("scope", String(16)), Column("parts", Text),
    Column("period_from", Date), Column("period_label", Text),
    Column("number_text", Text), Column("number_start", Integer), Column("number_end", Integer),
    Column("confidence", Float), Column("flags", Text), Column("extractor", String(64)),
)

denials = Table(
    "denials", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article", String(512), ForeignKey("articles.key", ondelete="CASCADE"), nullable=False, index=True),
    Column("denier", String(256)), Column("side", String(128)),
    Column("quote", Text), Column("start", Integer), Column("end", Integer),
)

incidents = Table(
    "incidents", metadata,
    Column("id", String(32), primary_key=True),
    Column("date_from", Date), Column("date_to", Date),
    Column("country", String(128)), Column("admin1", String(128)),
    Column("event_type", String(32)), Column("perpetrator", String(128)),
    Column("killed_total_min", Integer), Column("contested", Boolean), Column("confidence", Float),
    Column("doc", Text, nullable=False),               # the full record as JSON
    # filter and sort columns for the web and Python APIs (tally/readout/query.py); filled from the doc
    Column("places", Text),                            # "|Baqubah|Diyala|": place names between bars
    Column("categories", String(64)),                  # "|civilian|combatant|": categories with a killed figure
    Column("killed_best", Integer), Column("killed_civilian", Integer), Column("killed_combatant", Integer),
    Column("killed_unknown", Integer), Column("injured_best", Integer),
    Column("lat", Float), Column("lon", Float),
    Column("search", Text),                            # lower-cased places, actors, sources, evidence: text search
)
Index("ix_incidents_date", incidents.c.date_from, incidents.c.date_to)
Index("ix_incidents_country", incidents.c.country, incidents.c.admin1)
Index("ix_incidents_killed", incidents.c.killed_best)
Index("ix_incidents_perpetrator", incidents.c.perpetrator)
Index("ix_incidents_event_type", incidents.c.event_type)
Index("ix_incidents_admin1", incidents.c.admin1)   # the list page's choices: DISTINCT off an index, as for the others
# What the incident list (tally/readout/query.py) needs on a large ledger. Filters compare names ignoring case, and an
# incident "ends" on date_to, else date_from: expression indexes on exactly those forms. A category filter is
# killed_<category> > 0. The name indexes also hold the columns other filters and sorts read, so that counting the
# matches of a country with a date range, a category or a minimum never reads the table rows with their JSON docs.
_FILTERED = (incidents.c.date_from, incidents.c.date_to, incidents.c.killed_best, incidents.c.killed_civilian,
             incidents.c.killed_combatant, incidents.c.killed_unknown, incidents.c.confidence, incidents.c.id)
for _name in ("country", "admin1", "perpetrator"):   # the column itself last: PostgreSQL's index-only scans need it
    Index(f"ix_incidents_{_name}_lc", func.lower(incidents.c[_name]), *_FILTERED, incidents.c[_name])
# A name filter with the date order (the list page's default, and "newest first") or the worst first: the page is read
# off the index from the first match on. Without them SQLite, which plans before it sees the LIMIT and OFFSET values,
# walks the whole sort order for a rare name, fetching each row to check its name (150 ms for a country with 1% of
# the incidents).
for _name in ("country", "admin1", "perpetrator"):
    _lc, _date, _killed = func.lower(incidents.c[_name]), incidents.c.date_from, incidents.c.killed_best
    Index(f"ix_incidents_{_name}_by_date", _lc, _date.is_(None), _date, incidents.c.id)
    Index(f"ix_incidents_{_name}_by_date_desc", _lc, _date.is_(None), _date.desc(), incidents.c.id)
    Index(f"ix_incidents_{_name}_by_killed_desc", _lc, _killed.is_(None), _killed.desc(), incidents.c.id)
# A name filter sorted by confidence, with the other filters' columns (dates, figures): the page is read off the
# index from the name on, rows that fail a filter skipped in it (SQLite sorted a country's 16,000 matches: 29 ms
# to 0.5 on 182,000 incidents; PostgreSQL walked the confidence order fetching rows).
for _name in ("country", "admin1", "perpetrator"):
    _conf = incidents.c.confidence
    Index(f"ix_incidents_{_name}_by_confidence", func.lower(incidents.c[_name]), _conf.is_(None), _conf, incidents.c.id,
          incidents.c.date_from, incidents.c.date_to, incidents.c.killed_best, incidents.c.killed_civilian,
          incidents.c.killed_combatant, incidents.c.killed_unknown, incidents.c[_name])
Index("ix_incidents_ends", func.coalesce(incidents.c.date_to, incidents.c.date_from), incidents.c.date_from)
for _c in ("civilian", "combatant", "unknown"):
    Index(f"ix_incidents_killed_{_c}", incidents.c[f"killed_{_c}"], incidents.c.killed_best)
# Sorting: each sort key in both directions, NULLs last, then the id; the query orders by (key IS NULL), key, id,
# which these indexes give in order, so a page is read off the index instead of sorting every match. The date ones
# also hold date_to, so a date range is checked in the index.
SORT_COLUMNS = ("date_from", "killed_best", "injured_best", "confidence", "country", "perpetrator")
for _name in SORT_COLUMNS:
    _col = incidents.c[_name]
    _more = (incidents.c.date_to,) if _name == "date_from" else ()
    Index(f"ix_incidents_by_{_name}", _col.is_(None), _col, incidents.c.id, *_more)
    Index(f"ix_incidents_by_{_name}_desc", _col.is_(None), _col.desc(), incidents.c.id, *_more)
# The list's default order with a filter on figures (category, minimum killed, confidence) or on where an incident
# ends: the date order walked with every column those filters read, so that rows that fail are skipped in the index
# instead of each being fetched from the table (a rare filter's first page: 22 ms to 0.5 ms on 182,000 incidents).
Index("ix_incidents_by_date_from_filters", incidents.c.date_from.is_(None), incidents.c.date_from, incidents.c.id,
      incidents.c.date_to, incidents.c.killed_best, incidents.c.killed_civilian, incidents.c.killed_combatant,
      incidents.c.killed_unknown, incidents.c.confidence)
# Counting the matches of a filter no other index narrows reads this (every filter column, small) instead of the
# table with its JSON docs.
Index("ix_incidents_cover", incidents.c.date_from, incidents.c.date_to, incidents.c.country, incidents.c.admin1,
      incidents.c.perpetrator, incidents.c.event_type, incidents.c.contested, incidents.c.confidence,
      incidents.c.killed_best, incidents.c.killed_civilian, incidents.c.killed_combatant, incidents.c.killed_unknown,
      incidents.c.injured_best, incidents.c.id)
Index("ix_articles_seq", articles.c.seq)            # arrival order: the reports list, the next seq of a bulk write
# The outlets of a page of incidents' reports (query._with_outlets), read off the index without fetching the report
# rows with their texts (PostgreSQL, 1M claims: 150 keys, 18 ms of heap reads to an index-only scan)
Index("ix_articles_key_outlet", articles.c.key, articles.c.outlet)
Index("ix_claims_seq", claims.c.seq)

incident_claims = Table(
    "incident_claims", metadata,
    Column("incident", String(32), nullable=False, index=True),
    Column("claim", String(64), nullable=False, index=True),
)

tallies = Table(
    "tallies", metadata,
    Column("id", String(32), primary_key=True),
    Column("as_of", Date), Column("country", String(128)),
    Column("doc", Text, nullable=False),
)

rejects = Table(
    "rejects", metadata,
    Column("origin", String(1024), primary_key=True),
    Column("stage", String(32)), Column("code", String(16)), Column("reason", Text),
    Column("seen", Integer), Column("last_seen", String(32)),
)

pages = Table(
    "pages", metadata,                                 # raw web pages already read: a page seen twice is skipped
    Column("sha256", String(64), primary_key=True),
    Column("article", String(512), nullable=False, index=True),
)

watch_sources = Table(                                 # `tally watch`: what each feed or folder answered last
    "watch_sources", metadata,
    Column("source", String(1024), primary_key=True),
    Column("etag", Text), Column("last_modified", Text), Column("last_poll", String(32)),
)

watch_seen = Table(                                    # `tally watch`: entries and files already taken in
    "watch_seen", metadata,
    Column("source", String(1024), primary_key=True),
    Column("item", String(1024), primary_key=True),
)

# ---------------------------------------------------------------- the analyst in the loop (tally.review)
corrections = Table(
    "corrections", metadata,
    Column("id", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),            # order in which corrections are re-applied
    Column("action", String(32), nullable=False),
    Column("target", String(64), nullable=False),      # a claim id, an incident id or a review item id
    Column("value", Text),                             # JSON: what the analyst set
    Column("snapshot", Text),                          # JSON: the target as the analyst saw it, to find it again
    Column("analyst", String(128), nullable=False), Column("note", Text),
    Column("made_at", String(32), nullable=False), Column("withdrawn_at", String(32)),
    Column("status", String(16)),                      # applied | moved | changed | orphaned (after each rebuild)
    Column("status_detail", Text), Column("applied_to", String(64)),
)

audit = Table(
    "audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False), Column("analyst", String(128)),
    Column("action", String(48), nullable=False), Column("target", String(64), index=True),
    Column("detail", Text), Column("revision", Integer),
)

revisions = Table(
    "revisions", metadata,
    Column("rev", Integer, primary_key=True, autoincrement=False),
    Column("made_at", String(32), nullable=False), Column("reason", Text),
    Column("added", Integer), Column("changed", Integer), Column("removed", Integer), Column("incidents", Integer),
)

incident_versions = Table(                             # each incident record, valid from rev_from until rev_to
    "incident_versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident", String(32), nullable=False, index=True),
    Column("rev_from", Integer, nullable=False), Column("rev_to", Integer),
    Column("digest", String(40), nullable=False), Column("doc", Text, nullable=False),
)
Index("ix_incident_versions_revs", incident_versions.c.rev_from, incident_versions.c.rev_to)

incident_keys = Table(                                 # claim ids and loose claim keys of each incident, to keep ids
    "incident_keys", metadata,
    Column("incident", String(32), nullable=False, index=True),
    Column("key", String(1024), nullable=False),
)

# PostgreSQL enforces VARCHAR lengths and 32-bit INTEGER, SQLite neither: on PostgreSQL every bounded string column
# is TEXT and every integer BIGINT, so a long record id, claimant or path, or a huge figure, is stored whole on both
# backends rather than failing on one.
for _table in metadata.tables.values():
    for _column in _table.columns:
        if type(_column.type) is String:
            _column.type = _column.type.with_variant(Text(), "postgresql")
        elif type(_column.type) is Integer:
            _column.type = _column.type.with_variant(BigInteger(), "postgresql")
