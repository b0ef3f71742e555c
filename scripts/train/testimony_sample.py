"""Draw the posts to label for the testimony set (seeded), from the shipped EDOS (CC0) and Guest 2021 (MIT) texts.

Half the sample is drawn from posts with a first-person singular pronoun (so that first-person
accounts, rare in these sets, are frequent enough to learn from), half at random. Texts of 20 to
400 characters only (one post must be judged from itself). Writes a TSV to label: id, source, text.

    python scripts/train/testimony_sample.py > /tmp/testimony_to_label.tsv
"""

from __future__ import annotations

import random
import re
import sys

from tagscope.classify import datasets

FIRST_PERSON = re.compile(r"\b(i|me|my|mine|i'm|i've|i'd|i was)\b", re.IGNORECASE)
N = 460
SEED = 2014


def main() -> None:
    pool = [("edos", r["id"], r["text"]) for r in datasets.rows("edos")]
    pool += [("guest2021", r["id"], r["text"]) for r in datasets.rows("guest2021")]
    pool = [p for p in pool if 20 <= len(p[2]) <= 400 and "\n" not in p[2] and "\t" not in p[2]]
    rng = random.Random(SEED)
    first = [p for p in pool if FIRST_PERSON.search(p[2])]
    chosen = rng.sample(first, N // 2)
    taken = {p[1] for p in chosen}
    rest = [p for p in pool if p[1] not in taken]
    chosen += rng.sample(rest, N - N // 2)
    rng.shuffle(chosen)
    for i, (src, pid, text) in enumerate(chosen):
        sys.stdout.write(f"{i}\t{src}\t{pid}\t{text}\n")


if __name__ == "__main__":
    main()
