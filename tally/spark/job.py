"""Tally's pipeline as an Apache Spark job, for archives past one machine; writes Parquet that `tally` loads.

    spark-submit tally/spark/job.py --out OUT INPUT...        # or: tally spark run --out OUT INPUT...
    tally spark load OUT --db tally.db                         # into SQLite or PostgreSQL

Every stage is the single-machine stage function, called over partitions (no stage logic lives here):

* read: JSON Lines (``.jsonl``, ``.jsonl.gz``; a file, a folder or a glob, local, ``hdfs://`` or ``s3a://``
  through Spark's own connectors) split over the executors, each line parsed by ``tally.sources.files``;
  WARC (``.warc``, ``.warc.gz``, from the same places) one whole archive per task (``binaryFiles``), parsed
  by ``tally.sources.warc``;
  a local text file or folder is read by ``read_paths`` on the driver and spread from there.
* clean (``tally.parallel.clean_one``) on the executors.
* copies across the whole corpus: each report's LSH buckets (``dedupe.band_keys``, the bands of the
  single-machine ``CopyIndex``) are joined to find candidate pairs; the driver joins the pairs into groups
  (union-find over the edges only: their number is about the number of copies, not of reports), and each
  group runs ``find_copies`` in the order and batches a single-machine run would use, so the same report is
  the original.
* extract (``tally.parallel.analyse_many``, each partition's reports 25 at a time) on the executors, in Python
  workers forked from a daemon that loaded the models once (``tally.spark.daemon``).
* reconcile by blocking key: incident claims are grouped by country (of their places, else of their
  report) and each block runs ``reconcile``, its claims in report order (so partitions do not change the
  ledger). A copy's claim that repeats its original's (``copy_claims``) goes to the block of the claim it
  repeats: claims are first grouped by original report to find those echoes; running totals, few, are built
  on the driver (``build_tallies``).
* write: one Parquet folder per table of the ledger database (articles, claims, denials, incidents,
  incident_claims, tallies, rejects), with the database's own columns.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from itertools import groupby, islice
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from tally.errors import TallyError
from tally.models import Claim, CleanArticle, Denial, RawArticle, Rejected

WORKER_MEMORY = "1536m"   # a Python worker's memory before it spills: the models take about 450 MiB of it
PER_CORE = 2         # shuffle partitions per core
BATCH = 200          # the single-machine pipeline's batch (tally.pipeline.BATCH): copies are found batch by batch
TABLES = ("articles", "claims", "denials", "incidents", "incident_claims", "tallies", "rejects")


# ---------------------------------------------------------------- read

def _parse_line(text: str, number: int, where: str, name: str) -> RawArticle | Rejected:
    from tally.errors import SourceError
    from tally.sources import files

    try:
        data = text.encode("utf-8")
        if len(data) > files.DEFAULT_MAX_BYTES:
            raise SourceError(where, f"line {number}: record is over the limit per report", code=files.TOO_LARGE)
        return files.record_article(files._parse_line(data, number, where), where, f"{name}:{number}", f"line {number}")
    except SourceError as exc:
        return Rejected(where, "read", exc.code, exc.reason)


def _hadoop_files(spark: Any, path: str) -> list[str]:
    """The files a path names (a file, a folder read recursively, or a glob), sorted, through Hadoop's
    FileSystem so that hdfs:// and s3a:// work as local paths do."""
    jvm, conf = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(conf)
    found = []
    for status in fs.globStatus(hpath) or []:
        if status.isDirectory():
            it = fs.listFiles(status.getPath(), True)
            while it.hasNext():
                found.append(it.next().getPath().toString())
        else:
            found.append(status.getPath().toString())
    return sorted(f for f in found if not Path(f).name.startswith((".", "_")))


def _is_jsonl(name: str) -> bool:
    from tally.sources.files import JSONL_SUFFIXES

    return name.lower().endswith(JSONL_SUFFIXES)


def _is_warc(name: str) -> bool:
    from tally.sources.warc import WARC_SUFFIXES

    return name.lower().endswith(WARC_SUFFIXES)


def _origin(path: str, f: str, files: list[str]) -> str:
    """How ``read_paths`` names a file: the path as given for one local file, else the file's own path."""
    local = "://" not in path
    return path if len(files) == 1 and local else (f.removeprefix("file:") if local else f)


def _read_jsonl(sc: Any, path: str, f: str, files: list[str], offset: int) -> tuple[Any, int]:
    from tally.sources.files import EMPTY

    origin, name = _origin(path, f, files), Path(f).name
    lines = sc.textFile(f).zipWithIndex().filter(lambda t: t[0].strip())
    count = lines.count()
    if count == 0:
        return sc.parallelize([(offset, Rejected(origin, "read", EMPTY, "empty file"))]), 1
    return lines.zipWithIndex().map(
        lambda t: (offset + t[1], _parse_line(t[0][0], t[0][1] + 1, f"{origin}:{t[0][1] + 1}", name))), count


def _read_warcs(sc: Any, path: str, group: list[str], files: list[str], offset: int) -> tuple[Any, int]:
    """Each archive whole (``binaryFiles``: Spark's own file access, so hdfs:// and s3a:// work), one task per
    file, parsed by the single-machine reader ``read_warc_bytes``; positions follow the files' order (``group``,
    a run of the files ``files`` that ``path`` names)."""
    from tally.sources.files import DEFAULT_MAX_BYTES
    from tally.sources.warc import read_warc_bytes

    def parse(data: bytes, origin: str, k: int) -> Iterator[tuple[tuple[int, int], RawArticle | Rejected]]:
        for n, item in enumerate(read_warc_bytes(bytes(data), origin, DEFAULT_MAX_BYTES)):
            yield (k, n), item

    items = sc.union([sc.binaryFiles(f, 1).flatMap(lambda kv, o=_origin(path, f, files), k=k: parse(kv[1], o, k))
                      for k, f in enumerate(group)]).persist()
    counts = items.map(lambda t: t[0][0]).countByValue()
    starts, total = {}, 0
    for k in range(len(group)):
        starts[k], total = offset + total, total + counts.get(k, 0)
    return items.map(lambda t: (starts[t[0][0]] + t[0][1], t[1])), total


def read(spark: Any, inputs: Sequence[str]) -> tuple[Any, int]:
    """RDD of (position, RawArticle | Rejected), positions numbered as ``read_paths`` would yield them; and the
    number of positions. JSON Lines and WARC (by name) are read through Spark; other local files on the driver."""
    from tally.sources.files import read_paths

    sc = spark.sparkContext
    parts, offset = [], 0
    for path in inputs:
        local = "://" not in path
        files = _hadoop_files(spark, path)
        if files and all(_is_jsonl(f) or _is_warc(f) for f in files):
            for is_warc, same in groupby(files, key=_is_warc):   # runs of archives are read in one pass
                group = list(same)
                if is_warc:
                    rdd, count = _read_warcs(sc, path, group, files, offset)
                    parts.append(rdd)
                    offset += count
                    continue
                for f in group:
                    rdd, count = _read_jsonl(sc, path, f, files, offset)
                    parts.append(rdd)
                    offset += count
        elif local:
            items = list(read_paths([path]))
            parts.append(sc.parallelize(list(enumerate(items, offset)), max(1, sc.defaultParallelism)))
            offset += len(items)
        else:
            raise TallyError(f"{path}: only JSON Lines (.jsonl, .jsonl.gz) and WARC (.warc, .warc.gz) can be read "
                             "from a remote path; convert other inputs to JSON Lines first", code="T209")
    return (sc.union(parts) if parts else sc.emptyRDD()), offset


# ---------------------------------------------------------------- copies

def _candidate_pairs(arts: Any) -> list[tuple[int, int]]:
    from tally.stages.dedupe import band_keys

    def pairs(bucket: Iterable[int]) -> Iterator[tuple[int, int]]:
        members = sorted(set(bucket))
        return zip(members, members[1:])   # a chain links the bucket: enough to make one group

    return (arts.flatMap(lambda t: [(b, t[0]) for b in band_keys(t[1].text)])
            .groupByKey(_parts(arts)).flatMap(lambda kv: pairs(kv[1])).distinct(_parts(arts)).collect())


def _groups(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Union-find over the candidate pairs: position -> the smallest position of its group."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def _find_copies_in_group(members: Iterable[tuple[int, CleanArticle]], batch: int) -> Iterator[tuple[int, CleanArticle]]:
    """The single-machine order: batch by batch, each against the reports of earlier batches."""
    from tally.stages.dedupe import CopyIndex, find_copies

    known = CopyIndex()
    for _batch, grp in groupby(sorted(members, key=lambda t: t[0]), key=lambda t: t[0] // batch):
        grp_list = list(grp)
        marked = find_copies([a for _i, a in grp_list], known)
        for (i, _old), art in zip(grp_list, marked):
            own = art.published if art.published_from != "copy" else None
            known.add(art.key, art.text, own, copy_of=art.duplicate_of)
            yield i, art


def mark_copies(sc: Any, arts: Any, batch: int = BATCH) -> Any:
    group_of = sc.broadcast(_groups(_candidate_pairs(arts)))
    alone = arts.filter(lambda t: t[0] not in group_of.value)
    grouped = (arts.filter(lambda t: t[0] in group_of.value)
               .map(lambda t: (group_of.value[t[0]], t)).groupByKey(_parts(arts))
               .flatMap(lambda kv: _find_copies_in_group(kv[1], batch)))
    return alone.union(grouped)


# ---------------------------------------------------------------- extract

def _analyse_partition(rows: Iterable[tuple[int, CleanArticle]]) -> Iterator[tuple[int, CleanArticle, Any]]:
    """``analyse_many`` over the partition's reports, ``ANALYSE_GROUP`` at a time (one ``nlp.pipe`` per group, as
    the single-machine workers do: a sentence parses the same either way), instead of one report per call."""
    from tally.parallel import ANALYSE_GROUP, analyse_many

    it = iter(rows)
    while group := list(islice(it, ANALYSE_GROUP)):
        for (i, art), (analysis, _extract_s, _signature_s) in zip(group, analyse_many([a for _i, a in group])):
            yield i, art, analysis


def _driver_facts(rows: Iterable[tuple[int, CleanArticle, Any]]) -> Iterator[tuple[str, Any]]:
    """What the driver needs of a partition's analysed reports, all gathered in one pass: their denials (few),
    the original of each copy, the asserted running-total claims (few) with their report's date and region,
    and the number of reports."""
    reports = 0
    for i, art, analysis in rows:
        reports += 1
        for d in analysis.denials:
            yield "denial", d
        if art.duplicate_of is not None:
            yield "copy", (art.key, art.duplicate_of)
        for n, c in enumerate(analysis.claims):
            if c.scope == "tally" and c.stance == "asserted":
                yield "tally", ((i, n), c, art.published, analysis.region)
    yield "reports", reports


# ---------------------------------------------------------------- reconcile

def _block(c: Claim, region: tuple[str | None, str | None]) -> str:
    """The blocking key of an incident claim: its country (``reconcile._land``: of its places, else of its
    report). Claims in different countries never merge, so each block reconciles alone."""
    from tally.stages.reconcile import _land

    return min(_land(c, {c.article: region}), default="")


Row = tuple[Claim, int, tuple[str | None, str | None]]


def _route_family(rows: Iterable[Row], copies: dict[str, str]) -> Iterator[tuple[str, Row]]:
    """The claims of one original report and its copies, each keyed by its block: an echo (a copy's claim
    that repeats the original's) by the block of the claim it repeats, so it is evidence there."""
    from tally.stages.copy_claims import split_echoes

    rows = sorted(rows, key=lambda r: r[1])   # claim order: the same whatever the partitions
    by_id = {r[0].id: r for r in rows}
    _counted, echoes = split_echoes([r[0] for r in rows], copies)
    for c, order, region in rows:
        home = by_id[echoes[c.id].id] if c.id in echoes else (c, order, region)
        yield _block(home[0], home[2]), (c, order, region)


def _reconcile_block(rows: Iterable[Row], denials: dict[str, list[Denial]],
                     copies: dict[str, str]) -> Iterator[dict[str, Any]]:
    from tally.stages.reconcile import reconcile
    from tally.store.db import incident_row

    rows = sorted(rows, key=lambda r: r[1])
    claims = [c for c, _o, _r in rows]
    order = {c.id: o for c, o, _r in rows}
    regions = {c.article: r for c, _o, r in rows}
    mine = [d for a in sorted({c.article for c in claims}) for d in denials.get(a, [])]
    incidents, _tallies = reconcile(claims, mine, order, {}, regions, copies)
    for inc in incidents:
        yield {"table": "incidents", **incident_row(inc)}
        for cid in inc.claims:
            yield {"table": "incident_claims", "incident": inc.id, "claim": cid}


# ---------------------------------------------------------------- the job

def _spark_schema(table: str) -> Any:
    from pyspark.sql import types as T
    from sqlalchemy import Boolean, Date, Float, Integer, LargeBinary

    from tally.store import schema

    def kind(col: Any) -> Any:
        t = col.type
        if isinstance(t, Boolean):
            return T.BooleanType()
        if isinstance(t, Integer):
            return T.LongType()
        if isinstance(t, Float):
            return T.DoubleType()
        if isinstance(t, Date):
            return T.DateType()
        if isinstance(t, LargeBinary):
            return T.BinaryType()
        return T.StringType()

    cols = [c for c in schema.metadata.tables[table].columns if not (table == "denials" and c.name == "id")]
    return T.StructType([T.StructField(c.name, kind(c), True) for c in cols])


def run(spark: Any, inputs: Sequence[str], out: str, batch: int = BATCH) -> dict[str, int]:
    """Run the pipeline over ``inputs`` and write the ledger tables as Parquet under ``out``."""
    from tally.parallel import CleanFailure, clean_one
    from tally.stages.copy_claims import root_of
    from tally.stages.reconcile import build_tallies
    from tally.store.db import article_row, denial_row, tally_row
    from tally.store.serialize import claim_row

    sc = spark.sparkContext
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    items, positions = read(spark, inputs)
    items = items.coalesce(max(1, sc.defaultParallelism * 2)).persist() if items.getNumPartitions() > \
        4 * sc.defaultParallelism else items.persist()
    cleaned = items.filter(lambda t: isinstance(t[1], RawArticle)).map(
        lambda t: (t[0], t[1].origin, clean_one(t[1])[0])).persist()
    rejects = (items.filter(lambda t: isinstance(t[1], Rejected)).map(lambda t: t[1])
               .union(cleaned.filter(lambda t: isinstance(t[2], CleanFailure))
                      .map(lambda t: Rejected(t[1], "clean", t[2].code, t[2].message)))
               .map(lambda r: {"origin": r.origin, "stage": r.stage, "code": r.code, "reason": r.reason,
                               "seen": 1, "last_seen": now}))
    arts = cleaned.filter(lambda t: isinstance(t[2], CleanArticle)).map(lambda t: (t[0], t[2]))
    arts = _latest_per_key(arts)
    done = mark_copies(sc, arts, batch).mapPartitions(_analyse_partition).persist()

    articles = done.map(lambda t: article_row(t[1], t[0] + 1, t[2].signature, t[2].region))
    # claims in report order, numbered: the positions are known, so the ranges need no sampling pass
    parts = _parts(done)
    ranked = (done.flatMap(lambda t: [((t[0], i), (c, t[2].region)) for i, c in enumerate(t[2].claims)])
              .repartitionAndSortWithinPartitions(parts, lambda k: k[0] * parts // max(1, positions))
              .zipWithIndex().map(lambda t: (t[0][1][0], t[1] + 1, t[0][1][1])).persist())
    claims = ranked.map(lambda t: claim_row(t[0], t[1]))
    denied_by: dict[str, list[Denial]] = {}
    copy_roots: dict[str, str] = {}
    tally_claims = []
    reports = 0
    for kind, fact in done.mapPartitions(_driver_facts).collect():   # one pass; denials, copies and totals are few
        if kind == "reports":
            reports += fact
        elif kind == "denial":
            denied_by.setdefault(fact.article, []).append(fact)
        elif kind == "copy":
            copy_roots[fact[0]] = fact[1]
        else:
            tally_claims.append(fact)
    tally_claims.sort(key=lambda f: f[0])   # claim order, as in ranked
    denied = sc.broadcast(denied_by)
    copies = sc.broadcast(copy_roots)
    ledger = (ranked.filter(lambda t: t[0].scope == "incident" and t[0].stance == "asserted")
              .map(lambda t: (root_of(t[0].article, copies.value), t)).groupByKey(_parts(done))
              .flatMap(lambda kv: _route_family(kv[1], copies.value)).groupByKey(_parts(done))
              .flatMap(lambda kv: _reconcile_block(kv[1], denied.value, copies.value)).persist())
    # running totals are few: built on the driver from their claims, over the whole corpus
    tallies = build_tallies([c for _n, c, _p, _r in tally_claims], {c.article: p for _n, c, p, _r in tally_claims},
                            {c.article: r for _n, c, _p, r in tally_claims}, copy_roots)

    tables = {
        "articles": articles, "claims": claims, "rejects": rejects,
        "denials": sc.parallelize([denial_row(d) for ds in denied_by.values() for d in ds], 1),   # few
        "incidents": ledger.filter(lambda r: r["table"] == "incidents"),
        "incident_claims": ledger.filter(lambda r: r["table"] == "incident_claims"),
        "tallies": sc.parallelize([tally_row(t) for t in tallies], 1),
    }
    for name, rdd in tables.items():
        schema = _spark_schema(name)
        rows = rdd.map(lambda r, names=schema.fieldNames(): tuple(r.get(n) for n in names))
        spark.createDataFrame(rows, schema).write.mode("overwrite").parquet(os.path.join(out, name))
    return {"reports": reports, "incidents": ledger.filter(lambda r: r["table"] == "incidents").count(),
            "tallies": len(tallies)}


def _latest_per_key(arts: Any) -> Any:
    """A key given twice: the last version wins, at the position of the first (as re-ingesting does)."""
    def pick(versions: Iterable[tuple[int, CleanArticle]]) -> tuple[int, CleanArticle]:
        ordered = sorted(versions, key=lambda t: t[0])
        return ordered[0][0], ordered[-1][1]

    return arts.map(lambda t: (t[1].key, t)).groupByKey(_parts(arts)).map(lambda kv: pick(kv[1]))


def _parts(rdd: Any) -> int:
    """Partitions after a shuffle: ``PER_CORE`` per core of the cluster (``spark.default.parallelism``; local[N]:
    N), not the input's file count, so that a slow partition does not leave the other cores idle."""
    return max(1, PER_CORE * rdd.context.defaultParallelism)


def session(master: str = "local[2]", app: str = "tally") -> Any:
    """A Spark session whose Python workers run this interpreter (so they see the same tally); a local one
    (``local[N]``) listens on 127.0.0.1 only, a cluster's driver on the address executors can reach."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    cores = master.removeprefix("local[").removesuffix("]") if master.startswith("local[") else ""
    cores = str(os.cpu_count() or 1) if cores == "*" else cores
    builder = _configured(SparkSession.builder.master(master).appName(app)).config("spark.ui.enabled", "false")
    if cores.isdigit():
        builder = builder.config("spark.sql.shuffle.partitions", str(PER_CORE * int(cores)))
    if master.startswith("local"):
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
    return builder.getOrCreate()


def _configured(builder: Any) -> Any:
    """What every Tally session sets: Python workers forked from a daemon that loaded the models
    (``tally.spark.daemon``), kept from task to task, and allowed ``WORKER_MEMORY`` before a shuffle spills to
    disk (PySpark's default, 512 MiB, is less than the models alone: every shuffle spilled)."""
    return (builder.config("spark.python.daemon.module", "tally.spark.daemon")
            .config("spark.python.worker.reuse", "true")
            .config("spark.python.worker.memory", WORKER_MEMORY))


def main(argv: Sequence[str] | None = None) -> None:
    """spark-submit entry point."""
    parser = argparse.ArgumentParser(prog="tally-spark", description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="+", help="JSON Lines or WARC files, folders or globs; local text files")
    parser.add_argument("--out", required=True, help="folder for the Parquet tables (local, hdfs://, s3a://)")
    parser.add_argument("--master", default=None, help="Spark master when not run by spark-submit")
    args = parser.parse_args(argv)
    spark = session(args.master) if args.master else session_from_submit()
    counts = run(spark, args.inputs, args.out)
    print(json.dumps(counts))


def session_from_submit() -> Any:
    from pyspark.sql import SparkSession

    return _configured(SparkSession.builder.appName("tally")).getOrCreate()


if __name__ == "__main__":
    main()
