"""Places the simulated campaign talks about: planted sentences naming countries and regions, with the truth.

A few English posts of supporters get one more sentence naming one place, in one of the ways people
name it (the country, its demonym, a possessive, a major city or state, an abbreviation). Some places
join the conversation days after the campaign began, as the 2014 coverage said #YesAllWomen "sparked"
talk of rape in India and Africa. The generator knows which place each sentence names, so
``tagscope places`` can be checked exactly against truth.json.

Planting draws from its own random stream, and a sentence is added only where the post still fits in
280 characters, so the campaign's other posts, its timing and its counts are the same with or without it.
"""

from __future__ import annotations

import random

SHARE = 0.08  # of English originals and quotes by supporters

# (code the truth counts under, place name, days after the start it enters, weight, ways of naming it)
PLANTED: tuple[tuple[str, str, int, int, tuple[str, ...]], ...] = (
    ("US", "United States", 0, 30, ("the US", "America", "American", "Texas")),
    ("GB", "United Kingdom", 0, 15, ("the UK", "Britain", "British", "London")),
    ("AU", "Australia", 0, 6, ("Australia", "Australian", "Melbourne")),
    ("MX", "Mexico", 1, 5, ("Mexico", "Mexican", "Mexico City")),
    ("IN", "India", 2, 20, ("India", "Indian", "Delhi", "India's")),
    ("R-AF", "Africa", 3, 12, ("Africa", "African")),
    ("NG", "Nigeria", 3, 8, ("Nigeria", "Nigerian", "Lagos")),
)
# Sentences for a name of a place ({0}) and for a demonym ({0} ending in "an"/"sh"/"ian").
PLACE_SENTENCES = (
    "It is the same for women in {0}.",
    "Thinking of the women in {0} tonight.",
    "Read what women in {0} are saying.",
)
DEMONYM_SENTENCES = ("{0} women know this story too.", "So many {0} women are speaking up.")
POSSESSIVE_SENTENCES = ("{0} women deserve better.",)
DEMONYMS = frozenset({"American", "British", "Australian", "Mexican", "Indian", "African", "Nigerian"})

_DAY_MS = 86_400_000


class Planter:
    """Chooses, for a post, whether it names a place and how (its own random stream)."""

    def __init__(self, seed: int, start_ms: int):
        self.rng = random.Random(seed * 1_000_003 + 7)
        self.start_ms = start_ms

    def sentence(self, ms: int) -> tuple[str, str] | None:
        """(sentence, place code), or None for most posts."""
        rng = self.rng
        if rng.random() >= SHARE:
            return None
        day = (ms - self.start_ms) // _DAY_MS
        open_ = [row for row in PLANTED if row[2] <= day]
        if not open_:
            return None
        x = rng.random() * sum(row[3] for row in open_)
        chosen = open_[-1]
        for row in open_:
            x -= row[3]
            if x < 0:
                chosen = row
                break
        code, forms = chosen[0], chosen[4]
        form = rng.choice(forms)
        if form.endswith("'s"):
            template = rng.choice(POSSESSIVE_SENTENCES)
        elif form in DEMONYMS:
            template = rng.choice(DEMONYM_SENTENCES)
        else:
            template = rng.choice(PLACE_SENTENCES)
        return template.format(form), code


def names() -> dict[str, str]:
    """Code -> place name of every planted place (for truth.json)."""
    return {code: name for code, name, *_ in PLANTED}
