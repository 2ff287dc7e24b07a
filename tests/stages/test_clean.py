from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from tally.models import CleanArticle, RawArticle
from tally.stages.clean import clean, content_hash

FIXTURES = Path(__file__).parents[1] / "fixtures" / "clean"
SEEDS = Path(__file__).parents[2] / ".." / "shared" / "seeds"


def clean_text(text: str, **fields: object) -> CleanArticle:
    return clean(RawArticle(key="k", text=text, origin="test", **fields))  # type: ignore[arg-type]


def clean_fixture(name: str) -> CleanArticle:
    return clean_text((FIXTURES / name).read_text(encoding="utf-8"))


def reasons_of(article: CleanArticle) -> dict[str, str]:
    """Removed text (whitespace collapsed) -> reason, for one line at a time."""
    found = {}
    for span in article.removed:
        for line in span.text.splitlines():
            if line.strip():
                found[" ".join(line.split())] = span.reason
    return found


def assert_offsets_point_at_original(article: CleanArticle) -> None:
    for span in article.removed:
        assert article.original[span.start:span.end] == span.text
    starts = [span.start for span in article.removed]
    assert starts == sorted(starts)


# --- paywall, disclaimer ---------------------------------------------------------------------------------------------

def test_paywall_block_and_plan_list_are_removed() -> None:
    article = clean_fixture("paywall.txt")
    gone = reasons_of(article)
    for line in ("You've reached your limit of 5 free articles this month.", "Subscribe now for unlimited access.",
                 "Already subscribed? Log in", "Subscribe to read the full story →", "Gold Plan", "$4.99/month",
                 "3 Months", "€49", "1 Year", "Renews automatically, cancel anytime",
                 "Here's what's included in our digital plans", "Daily briefing sent to your inbox",
                 "Unlimited stories on every device, handpicked by editors"):
        assert gone[line] == "paywall", line
        assert line not in article.text
    assert gone["Disclaimer: No Example Daily Journalist was involved in creation of this content"] == "disclaimer"
    assert_offsets_point_at_original(article)


def test_sentences_mentioning_subscribe_and_comment_stay() -> None:
    article = clean_fixture("paywall.txt")
    assert article.text.split("\n\n") == [
        "Four people were killed when mortar rounds hit a crowded market on Tuesday, local officials said.",
        "Residents who subscribe to the council's text alerts were told to stay indoors minutes before the "
        "shelling began.",
        "The council said it would comment further once the wounded had been treated.",
    ]


def test_a_full_news_paragraph_after_a_paywall_line_stays() -> None:
    text = ("Two were killed in a raid, police said.\nSubscribe now\n"
            "Police later said a third man died of his wounds in hospital.\nMonthly plan\n")
    article = clean_text(text)
    assert "Police later said a third man died of his wounds in hospital." in article.text
    assert "Monthly plan" not in article.text and "Subscribe now" not in article.text


def test_price_and_duration_lines_inside_a_body_sentence_stay() -> None:
    text = "Fuel rose to $4.99 a litre after the attack, traders said.\n\nThe siege has lasted 3 months."
    assert clean_text(text).text == text


# --- comments, spam questions, newsletters, crumbs, captions, bylines --------------------------------------------------

@pytest.mark.parametrize(("line", "reason"), [
    ("You are here", "navigation"),
    ("Home > World > Africa", "navigation"),
    ("By Reuters - Mar 14,2021 - Last updated at Mar 14,2021", "metadata"),
    ("Soldiers stand guard near the checkpoint on Sunday (Reuters photo)", "caption"),
    ("Share this article", "furniture"),
    ("Advertisement", "furniture"),
    ("Read more: Army chief tours northern bases", "furniture"),
    ("Follow us on Twitter", "furniture"),
    ("12 users have voted.", "comments"),
    ("Add new comment", "comments"),
    ("This question is for testing whether or not you are a human visitor and to prevent automated spam "
     "submissions.", "comments"),
    ("3 + 4 =", "comments"),
    ("Solve this simple math problem and enter the result. E.g. for 1+3, enter 4.", "comments"),
    ("12 comments", "comments"),
    ("Log in to post comments", "comments"),
    ("Sign up for our newsletter", "newsletter"),
    ("Get top stories and blog posts emailed to you each day.", "newsletter"),
])
def test_page_furniture_is_removed_with_its_reason(line: str, reason: str) -> None:
    article = clean_fixture("furniture.txt")
    assert reasons_of(article)[line] == reason
    assert line not in article.text


def test_furniture_fixture_keeps_headline_and_body() -> None:
    article = clean_fixture("furniture.txt")
    assert article.text == (
        "Gunmen kill six at army checkpoint\n\n"
        "Gunmen killed six soldiers at an army checkpoint on Saturday night, the military said.\n\n"
        "The army said it had sent reinforcements and that a search for the attackers was under way."
    )
    assert article.title == "Gunmen kill six at army checkpoint"
    assert article.published == dt.date(2021, 3, 14) and article.published_from == "text"
    assert article.outlet == "Reuters"
    assert_offsets_point_at_original(article)


def test_adjacent_removed_lines_with_one_reason_make_one_span() -> None:
    article = clean_fixture("furniture.txt")
    comment_spans = [s for s in article.removed if s.reason == "comments"]
    assert comment_spans[0].text.startswith("12 users have voted.")
    assert comment_spans[0].text.endswith("Log in to post comments")


@pytest.mark.parametrize("line", ["Date: 4 May 2020", "Updated", "Posted on May 4, 2020 at 10:12 am", "4 May 2020"])
def test_date_lines_are_metadata(line: str) -> None:
    article = clean_text(f"Shelling kills three\n\n{line}\n\nThree people were killed by shelling, medics said.")
    assert reasons_of(article)[line] == "metadata"


@pytest.mark.parametrize("line", [
    "Smoke rises over the old city (AFP/file photo)",
    "A boy walks past a destroyed building (Reuters)",
    "Photo: a damaged hospital ward",
    "File photo of the border crossing",
])
def test_caption_lines(line: str) -> None:
    text = f"Shelling kills three\n\n{line}\n\nThree people were killed by shelling, medics said."
    article = clean_text(text)
    assert reasons_of(article)[line] == "caption"
    assert line not in article.text


# --- related stories, headline, standfirst, date lines -----------------------------------------------------------------

def test_related_story_headline_between_paragraphs_is_removed() -> None:
    article = clean_fixture("related.txt")
    assert reasons_of(article)["Rescue teams search rubble after second strike on market"] == "related-story"
    assert article.text.split("\n\n") == [
        "Air strikes kill nine in border villages",
        "Strikes hit three villages near the frontier overnight, a monitor said",
        "Air strikes killed nine civilians in three border villages overnight, a war monitor said on Monday.",
        "The monitor said two children were among the dead.",
        '"We pulled two bodies from the rubble this morning," a rescue worker said.',
        "Local officials said the toll could rise.",
    ]
    assert article.title == "Air strikes kill nine in border villages"
    assert_offsets_point_at_original(article)


def test_header_caption_credit_and_split_date_label_are_metadata() -> None:
    article = clean_fixture("related.txt")
    gone = reasons_of(article)
    assert gone["Smoke rises over a village after a strike (AFP/file photo)"] == "caption"
    assert gone["Example Post and agencies's picture"] == "metadata"
    assert gone["Last update:"] == "metadata"
    assert gone["Monday 5 March 2018 09:30 UTC"] == "metadata"
    assert gone["– Example.com"] == "metadata"                 # trailing credit cut from the last line
    assert article.published == dt.date(2018, 3, 5)


def test_related_story_rule_spares_one_paragraph_per_line_text_that_continues() -> None:
    text = ("Gunmen kill two\nTwo guards were shot dead at a bank on Monday, police said.\n"
            "Witnesses said the attackers fled on motorbikes towards\nthe river.\n")
    article = clean_text(text)
    assert "towards the river." in article.text


def test_hard_wrapped_text_is_rejoined_not_removed() -> None:
    text = ("Curfew after clashes\n\nClashes between rival groups killed four people in\nthe old quarter on "
            "Friday and\nLeft dozens injured, a hospital source\nsaid.\n\nA curfew was imposed overnight.\n")
    article = clean_text(text)
    assert article.removed == ()
    assert ("Clashes between rival groups killed four people in the old quarter on Friday and Left dozens "
            "injured, a hospital source said.") in article.text
    assert article.title == "Curfew after clashes"


def test_related_story_in_one_paragraph_per_line_text() -> None:
    text = ("Two guards were shot dead at a bank on Monday, police said.\n"
            "Gunmen storm hotel in capital, several feared dead\n"
            "Police said the attackers fled on motorbikes.\n")
    article = clean_text(text)
    assert reasons_of(article)["Gunmen storm hotel in capital, several feared dead"] == "related-story"
    assert article.text == ("Two guards were shot dead at a bank on Monday, police said.\n\n"
                            "Police said the attackers fled on motorbikes.")


@pytest.mark.parametrize("sentence", [
    "Share this with your neighbours, the mayor told residents before the shelling resumed.",
    "You are here to count the dead, a nurse told the visiting officials.",
    "Already a member of the local council, he was killed in the blast on Sunday.",
    "Comments by the governor drew anger after nine people were killed.",
    "By Sunday evening, rescuers had pulled 12 bodies from the rubble.",
    "Updated figures released on Monday showed 30 people had died.",
    "Date palms burned on 4 May 2020 when shells hit the orchards, farmers said.",
])
def test_sentences_that_start_like_furniture_stay(sentence: str) -> None:
    text = f"Blast kills twelve\n\nA blast killed twelve people on Saturday, officials said.\n\n{sentence}"
    article = clean_text(text)
    assert article.removed == ()
    assert sentence in article.text


def test_empty_text_cleans_to_nothing() -> None:
    article = clean_text("\n  \n")
    assert article.text == "" and article.title is None and article.language == "und"


def test_date_prefix_is_cut_from_the_first_line_and_source_tag_removed() -> None:
    article = clean_fixture("dated.txt")
    assert article.text.startswith("Nine civilians killed in overnight strikes, monitor says.\n\n")
    gone = reasons_of(article)
    assert article.removed[0].start == 0 and article.removed[0].text == " date 2018-03-05 "
    assert gone["Published 08:10 AM, March 05, 2018"] == "metadata"
    assert gone["[Source: Example Wire]"] == "metadata"
    assert article.published == dt.date(2018, 3, 5)
    assert article.outlet == "Example Wire"
    assert_offsets_point_at_original(article)


# --- record fields --------------------------------------------------------------------------------------------------

def test_record_fields_win_and_are_copied() -> None:
    raw = RawArticle(key="r1", text="Published: 1 May 2020\n\nTwo soldiers were killed, the army said.",
                     origin="batch.jsonl:1", url="https://www.aljazeera.com/news/2020/5/2/x",
                     title="Two soldiers killed", published=dt.date(2020, 5, 2), extra={"section": "world"})
    article = clean(raw)
    assert article.published == dt.date(2020, 5, 2) and article.published_from == "record"
    assert article.title == "Two soldiers killed"
    assert article.text == "Two soldiers killed\n\nTwo soldiers were killed, the army said."
    assert article.outlet == "Al Jazeera"
    assert (article.key, article.origin, article.url) == ("r1", "batch.jsonl:1", raw.url)
    assert article.extra == {"section": "world"}
    assert article.original == raw.text


def test_url_date_is_the_fallback() -> None:
    article = clean_text("Two were killed, police said.", url="https://example.com/2020/05/02/story")
    assert (article.published, article.published_from) == (dt.date(2020, 5, 2), "url")


def test_language_and_hash() -> None:
    article = clean_text("Deux civils ont été tués samedi dans des frappes aériennes, selon une ONG.")
    assert article.language == "fr"
    assert article.content_hash == hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    assert content_hash("a  b\n\nc") == content_hash("a b c")
    assert clean_text("Two killed.\n\nThree wounded.").language == "en"


def test_nbsp_and_invisible_characters_are_normalised() -> None:
    article = clean_text("Strikes\u00a0hit\u200b Hajin  again\n\nFour were killed, a monitor said.")
    assert article.title == "Strikes hit Hajin again"


# --- the five seed reports ------------------------------------------------------------------------------------------

def seed(prefix: str) -> CleanArticle:
    if not SEEDS.is_dir():
        pytest.skip(f"seed reports not found at {SEEDS.resolve()} (they live outside the repo)")
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return clean(RawArticle(key=path.name, text=path.read_text(encoding="utf-8"), origin=str(path)))


@pytest.mark.parametrize(("prefix", "expected"), [
    ("000", dt.date(2018, 11, 4)), ("001", None), ("002", dt.date(2018, 11, 4)),
    ("003", dt.date(2018, 12, 6)), ("004", dt.date(2018, 10, 21)),
])
def test_seed_publication_dates(prefix: str, expected: dt.date | None) -> None:
    assert seed(prefix).published == expected


def test_seed_001_loses_its_paywall() -> None:
    article = seed("001")
    for word in ("free articles", "Subscribe", "Already subscribed", "Renews automatically", "/Month", "3 Months",
                 "premium", "Disclaimer", "Epaper", "Ad-free", "devices"):
        assert word not in article.text, word
    assert article.text.endswith("anti-government protests.")
    assert_offsets_point_at_original(article)


def test_seed_003_loses_its_furniture() -> None:
    article = seed("003")
    for junk in ("You are here", "users have voted", "Add new comment", "5 + 8 =", "emailed to you",
                 "(AFP photo)", "human visitor", "math problem", "Last updated"):
        assert junk not in article.text, junk
    assert article.text.startswith("US-backed fighters break into Daesh holdout in East Syria\n\n")
    assert_offsets_point_at_original(article)


def test_seed_004_loses_the_related_headline_and_keeps_every_paragraph() -> None:
    article = seed("004")
    assert "at least 32 civilians" not in article.text
    assert article.text.split("\n\n")[0] == "US-backed Syria offensive kills 35 Islamic State militants"
    body = [p for p in article.original.split("\n\n") if p.strip() and p.strip().endswith((".", '"'))]
    for paragraph in body:
        assert " ".join(paragraph.split()) in article.text
    assert "(AFP/file photo)" not in article.text and "Last update" not in article.text


def test_seed_000_first_line_has_no_date_prefix() -> None:
    article = seed("000")
    assert article.text.startswith("Syrian Observatory")
    assert "Published 11:44 PM" not in article.text


def test_a_headline_glued_to_the_lead_is_split_from_it():
    from tally.models import RawArticle
    from tally.stages.clean import clean

    art = clean(RawArticle("g1", "Man wounded in parking lotA 30-year-old man was shot on Friday.", "t",
                           title="Man wounded in parking lot"))
    assert art.text.startswith("Man wounded in parking lot\n\nA 30-year-old man")
