"""Places of one report: the report's region (from all its mentions) and the places of each sentence."""
from __future__ import annotations

import functools

from tally.models import Place
from tally.stages.extract.dates import mask_relative_clauses
from tally.stages.extract.gazetteer import Gazetteer, name_key


class PlaceFinder:
    """Finds places sentence by sentence, preferring the report's own country and province."""

    def __init__(self, text: str, gaz: Gazetteer | None = None) -> None:
        from tally.stages.extract.places import article_places_context

        self.gaz = gaz or Gazetteer.load()
        self.country_code, self.admin1 = article_places_context(text, self.gaz)

    @property
    def region(self) -> tuple[str | None, str | None]:
        return self.gaz.country_name(self.country_code), self.admin1

    def find(self, sentence: str) -> list[tuple[int, int, Place]]:
        return list(_places_in(sentence, self.gaz, self.country_code, self.admin1))


@functools.lru_cache(maxsize=16384)
def _places_in(sentence: str, gaz: Gazetteer, country_code: str | None,
               admin1: str | None) -> tuple[tuple[int, int, Place], ...]:
    """The places of one sentence in a report's context (cached: copies and boilerplate repeat sentences)."""
    from tally.stages.extract.places import find_places

    # a place in a ", who ..." clause is where the clause happened, not the event
    return tuple(find_places(mask_relative_clauses(sentence), gaz, country_code, admin1))


def place_key(p: Place) -> str:
    return f"g{p.geonameid}" if p.geonameid else name_key(p.name)
