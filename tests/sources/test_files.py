from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from tally.models import RawArticle, Rejected
from tally.sources import files
from tally.sources.files import read_paths

FIXTURES = Path(__file__).parents[1] / "fixtures"
REPORTS = FIXTURES / "reports"
BATCH = FIXTURES / "records" / "batch.jsonl"


def only(items: list[RawArticle | Rejected]) -> RawArticle | Rejected:
    assert len(items) == 1, items
    return items[0]


def read(*paths: Path | str, **kwargs: int) -> list[RawArticle | Rejected]:
    return list(read_paths([str(p) for p in paths], **kwargs))


# --- plain-text files and folders ------------------------------------------------------------------------------------

def test_text_file_becomes_one_article_keyed_by_file_name() -> None:
    article = only(read(REPORTS / "b_second.txt"))
    assert isinstance(article, RawArticle)
    assert article.key == "b_second.txt"
    assert article.origin == str(REPORTS / "b_second.txt")
    assert article.text.startswith("Shelling kills two")
    assert article.url is None and article.published is None
    assert "encoding" not in article.extra


def test_folder_is_read_recursively_in_sorted_order_skipping_hidden_files() -> None:
    keys = [a.key for a in read(REPORTS)]
    assert keys == ["a_first.txt", "b_second.txt", "c_third.txt", "noext"]


def test_file_without_extension_is_read_as_text() -> None:
    article = only(read(REPORTS / "sub" / "noext"))
    assert isinstance(article, RawArticle)
    assert "drone strike" in article.text


def test_utf8_bom_is_dropped_and_crlf_normalised(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTwo killed in raid\r\n\r\nTwo men were shot dead.\r\n".encode("utf-8"))
    article = only(read(path))
    assert isinstance(article, RawArticle)
    assert article.text == "Two killed in raid\n\nTwo men were shot dead.\n"


def test_non_utf8_text_is_detected_and_encoding_noted(tmp_path: Path) -> None:
    text = ("Les combats ont fait cinq morts à Alep, a déclaré l'Observatoire syrien des droits de l'homme. "
            "Des témoins ont décrit des scènes de panique près de l'hôpital, où les blessés étaient soignés.\n")
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("cp1252"))
    article = only(read(path))
    assert isinstance(article, RawArticle)
    assert article.text == text
    assert article.extra["encoding"] not in ("utf-8", "utf_8", None)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Three soldiers were wounded.\n".encode("utf-16"))
    article = only(read(path))
    assert isinstance(article, RawArticle)
    assert article.text == "Three soldiers were wounded.\n"
    assert article.extra["encoding"] == "utf-16"


# --- rejects -------------------------------------------------------------------------------------------------------

def assert_rejected(item: RawArticle | Rejected, code: str, *words: str) -> Rejected:
    assert isinstance(item, Rejected), item
    assert item.stage == "read"
    assert item.code == code
    assert "\n" not in item.reason
    for word in words:
        assert word in item.reason
    return item


def test_missing_path_is_rejected_and_the_rest_goes_on(tmp_path: Path) -> None:
    items = read(tmp_path / "nope.txt", REPORTS / "a_first.txt")
    assert_rejected(items[0], files.MISSING, "no such file")
    assert items[0].origin == str(tmp_path / "nope.txt")
    assert isinstance(items[1], RawArticle)


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n"])
def test_empty_file_is_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert_rejected(only(read(path)), files.EMPTY, "empty file")


def test_binary_file_with_nul_bytes_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"PK\x03\x04\x00\x00binary\x00data")
    assert_rejected(only(read(path)), files.BINARY, "binary")


def test_undecodable_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "noise"
    path.write_bytes(bytes(range(1, 256)) * 20)
    assert_rejected(only(read(path)), files.BINARY, "binary")


def test_file_over_the_size_cap_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Nine people were killed. " * 100)
    item = assert_rejected(only(read(path, max_bytes=1024)), files.TOO_LARGE, "limit per report")
    assert "over the" in item.reason


def test_default_size_cap_is_five_megabytes() -> None:
    assert files.DEFAULT_MAX_BYTES == 5 * 1024 * 1024


def test_unsupported_file_type_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 something")
    assert_rejected(only(read(path)), files.UNSUPPORTED, ".pdf")


# --- JSON Lines ----------------------------------------------------------------------------------------------------

def test_jsonl_records_and_rejects_in_line_order() -> None:
    items = read(BATCH)
    origins = [i.origin for i in items]
    assert origins == [f"{BATCH}:{n}" for n in (1, 2, 3, 4, 5, 7, 8, 9)]   # line 6 is blank


def test_jsonl_record_fields() -> None:
    first = read(BATCH)[0]
    assert isinstance(first, RawArticle)
    assert first.key == "101"
    assert first.url == "https://www.rudaw.net/english/middleeast/2019/03/02/story"
    assert first.title == "Clashes kill five fighters"
    assert first.published == dt.date(2019, 3, 2)
    assert first.extra == {"section": "world"}
    assert first.origin == f"{BATCH}:1"


def test_jsonl_record_without_id_is_keyed_by_file_and_line() -> None:
    second = read(BATCH)[1]
    assert isinstance(second, RawArticle)
    assert second.key == "batch.jsonl:2"
    assert second.published == dt.date(2019, 3, 2)          # from an ISO datetime with a zone
    assert second.text == "Two people died when a grenade exploded\nin a cafe, police said."


def test_jsonl_published_in_other_forms_goes_through_dateparser() -> None:
    seventh = read(BATCH)[5]
    assert isinstance(seventh, RawArticle)
    assert seventh.key == "r7"
    assert seventh.published == dt.date(2019, 3, 3)


def test_jsonl_rejects_say_which_line_and_why() -> None:
    items = read(BATCH)
    assert_rejected(items[2], files.NOT_JSON, "line 3: not JSON:")
    assert_rejected(items[3], files.NO_TEXT, "line 4", "no text")
    assert_rejected(items[4], files.BAD_FIELD, "line 5", "'text' is a number, not a string")
    assert_rejected(items[6], files.NOT_JSON, "line 8", "not a JSON object")
    assert_rejected(items[7], files.NO_TEXT, "line 9", "no text")


def test_unparsable_published_keeps_the_record(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"id": "a", "published": "sometime soon-ish", "text": "One man was shot."}) + "\n")
    article = only(read(path))
    assert isinstance(article, RawArticle)
    assert article.published is None


def test_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"id": 7, "text": "A sniper killed a teenager, medics said."}) + "\n")
    article = only(read(path))
    assert isinstance(article, RawArticle)
    assert article.key == "7" and article.origin == f"{path}:1"


def test_corrupt_gzip_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(b"this is not gzip data")
    assert_rejected(only(read(path)), files.UNREADABLE, "cannot read")


def test_jsonl_line_over_the_size_cap_is_rejected_and_the_next_read(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    big = json.dumps({"id": "big", "text": "x" * 5000})
    small = json.dumps({"id": "small", "text": "Two died."})
    path.write_text(big + "\n" + small + "\n")
    items = read(path, max_bytes=1000)
    assert_rejected(items[0], files.TOO_LARGE, "line 1", "limit per report")
    assert isinstance(items[1], RawArticle) and items[1].key == "small"
    assert items[1].origin == f"{path}:2"


def test_empty_jsonl_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "none.jsonl"
    path.write_text("\n\n")
    assert_rejected(only(read(path)), files.EMPTY, "empty file")


def test_dash_reads_jsonl_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps({"id": "s1", "text": "Four killed in ambush."}) + "\nnot json\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8")), encoding="utf-8"))
    items = list(read_paths(["-"]))
    assert isinstance(items[0], RawArticle) and items[0].key == "s1"
    assert items[0].origin == "<stdin>:1"
    assert_rejected(items[1], files.NOT_JSON, "line 2: not JSON")


def test_dash_works_with_a_text_only_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"text": "One wounded."}) + "\n"))
    article = only(list(read_paths(["-"])))
    assert isinstance(article, RawArticle)
    assert article.key == "<stdin>:1"


def test_a_folder_passes_over_readmes_and_gold_files_but_a_named_one_is_rejected(tmp_path):
    from tally.sources.files import read_paths as _read
    from tally.models import Rejected as _Rejected

    (tmp_path / "README.md").write_text("# notes about this folder\n")
    (tmp_path / "gold.json").write_text("{}")
    (tmp_path / "one.txt").write_text("Two farmers were shot dead near the village on Monday, police said.\n")
    got = list(_read([str(tmp_path)]))
    assert [g.key for g in got if not isinstance(g, _Rejected)] == ["one.txt"]
    assert not [g for g in got if isinstance(g, _Rejected)]
    named = list(_read([str(tmp_path / "gold.json")]))
    assert isinstance(named[0], _Rejected)
