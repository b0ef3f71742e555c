"""The simulated population: who posts how often, to how many followers, and on which side.

Accounts are numbered. Account 0 is the creator of the campaign tag; accounts 1..NOTABLES are notable
accounts (hundreds of thousands to millions of followers, verified) who join during the burst. Per
account only a few numbers are kept (followers, a flags byte, an activity weight), so a 10M-post
campaign fits in memory; names and bios are derived from the index (see :mod:`.names`).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from array import array

from . import names

NOTABLES = 24
CREATOR = 0
LANGS = ("en", "es", "fr")
_PRONOUN_WEIGHTS = (40, 22, 6, 32)  # she/her, he/him, they/them, none
_BACKLASH_BY_PRONOUN = (0.04, 0.38, 0.03, 0.22)


class People:
    """Accounts of one simulated campaign."""

    def __init__(self, rng: random.Random, count: int):
        self.count = count
        self.followers = array("q")
        self.flags = bytearray(count)  # bit 0 verified, 1-2 pronoun, 3 backlash, 4-5 language
        weights = array("d")
        pron_cum = list(itertools.accumulate(_PRONOUN_WEIGHTS))
        for idx in range(count):
            pronoun = bisect.bisect(pron_cum, rng.random() * pron_cum[-1])
            backlash = rng.random() < _BACKLASH_BY_PRONOUN[pronoun]
            r = rng.random()
            lang = 0 if r < 0.9 else 1 if r < 0.96 else 2
            if idx == CREATOR:
                followers, verified, pronoun, backlash, lang, activity = 2417, False, 0, False, 0, 3.0
            elif idx <= NOTABLES:
                followers = int(10 ** rng.uniform(5.3, 6.7))
                verified, lang, activity = True, 0, 0.5
                backlash = idx > NOTABLES - 3  # a few notable voices lead the backlash
                pronoun = 1 if backlash else pronoun
            else:
                followers = int(rng.lognormvariate(5.2, 1.8))
                verified = followers > 100_000 and rng.random() < 0.3
                activity = min(rng.paretovariate(1.3), 400.0)
            self.followers.append(followers)
            self.flags[idx] = verified | (pronoun << 1) | (backlash << 3) | (lang << 4)
            weights.append(activity)
        self._cum = array("d", itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> int:
        """An account, chosen in proportion to its activity (heavy-tailed: a few post a lot)."""
        return bisect.bisect(self._cum, rng.random() * self._cum[-1])

    def verified(self, idx: int) -> bool:
        return bool(self.flags[idx] & 1)

    def pronoun(self, idx: int) -> str:
        return names.PRONOUNS[(self.flags[idx] >> 1) & 3]

    def backlash(self, idx: int) -> bool:
        return bool(self.flags[idx] & 8)

    def lang(self, idx: int) -> str:
        return LANGS[(self.flags[idx] >> 4) & 3]

    def reach(self, idx: int) -> int:
        """How many urn entries a new post by this account gets: followers make posts travel."""
        return 1 + min(60, math.isqrt(self.followers[idx]) // 15)
