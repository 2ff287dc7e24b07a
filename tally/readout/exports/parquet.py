"""Records as a Parquet file (pyarrow), for pandas, polars and DuckDB.

Columns are the CSV export's flat columns (killed_civilian_min ...) with real types: dates are dates, counts are
nullable integers, a list of names stays a list of strings, and nested values (evidence, parts) are JSON text.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any, Sequence

from tally.readout.formats import flat_row

DATE_COLUMNS = {"date_from", "date_to", "published", "as_of", "period_from"}
COUNT_COLUMN = re.compile(r"^(killed|injured)_(\w+_)?(min|max|best)$|^(min|max|start|end|claims)$")


def render(rows: Sequence[dict[str, Any]], kind: str) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat = [flat_row(r) for r in rows]
    names = list(dict.fromkeys(k for r in flat for k in r))
    arrays, fields = [], []
    for name in names:
        values = [r.get(name) for r in flat]
        typ = _arrow_type(name, values)
        arrays.append(pa.array(_convert(values, typ), type=typ))
        fields.append(pa.field(name, typ))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={"tally.kind": kind}))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _arrow_type(name: str, values: list[Any]) -> Any:
    import pyarrow as pa

    present = [v for v in values if v is not None]
    if name in DATE_COLUMNS:
        return pa.date32()
    if COUNT_COLUMN.match(name) and all(isinstance(v, int) for v in present):
        return pa.int64()
    if present and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in present):
        return pa.list_(pa.string())
    if any(isinstance(v, (list, dict)) for v in present):
        return pa.string()                      # nested: JSON text
    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()


def _convert(values: list[Any], typ: Any) -> list[Any]:
    import pyarrow as pa

    if typ == pa.date32():
        return [dt.date.fromisoformat(str(v)[:10]) if v else None for v in values]
    if typ == pa.string():
        return [None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
                for v in values]
    if typ == pa.float64():
        return [None if v is None else float(v) for v in values]
    return values
