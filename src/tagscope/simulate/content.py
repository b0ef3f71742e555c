"""What the simulated posts say: hashtag spellings and text templates by stance and language.

Texts are invented and mild. Stances give classifiers and search something to find: personal
testimony, commentary, support, and backlash (including the phrase "supreme gentleman"). Each hashtag
spelling is listed with the case-folded key it counts under, so the ground truth never depends on the
product's own folding rule.
"""

from __future__ import annotations

import random

MAIN = "yesallwomen"
COUNTER = "notallmen"

# (as written, key it counts under, weight): case variants fold together, the typo does not.
MAIN_SPELLINGS = (
    ("YesAllWomen", MAIN, 840),
    ("yesallwomen", MAIN, 80),
    ("YESALLWOMEN", MAIN, 30),
    ("Yesallwomen", MAIN, 30),
    ("YesAllWomem", "yesallwomem", 15),
    ("ＹｅｓＡｌｌＷｏｍｅｎ", MAIN, 5),  # fullwidth: NFKC folds it to the main tag
)
COUNTER_SPELLINGS = (("NotAllMen", COUNTER, 85), ("notallmen", COUNTER, 10), ("NOTALLMEN", COUNTER, 5))
CO_TAGS = {
    "supporter": (("EverydaySexism", 15), ("RapeCultureIsWhen", 6), ("Feminism", 8), ("IslaVistaVigil", 3)),
    "backlash": (("YesAllMen", 12), ("Feminism", 5), ("MensRights", 8)),
}
LANG_TAGS = {"es": ("TodasLasMujeres", 40), "fr": ("ToutesLesFemmes", 40)}

TESTIMONY = (
    "When I was {age} a man followed me from the {place} to my front door and I still check over my shoulder.",
    "I carry my keys between my fingers every time I walk home from the {place}.",
    "Because I was told to smile by a stranger at the {place} three times this week.",
    "I have pretended to be on the phone more times than I can count just to feel safe at the {place}.",
    "At {age} I learned that saying no politely could make a man angry.",
    "My friends and I text each other when we get home. Every single time.",
    "I was groped on a crowded bus at {age} and everyone looked away.",
    "I changed my route to work because a man at the {place} would not stop commenting on my body.",
    "I was told my skirt was the problem, not the man who grabbed me.",
    "I once gave a fake number at the {place} because I was afraid of what he would do if I said no.",
    "I learned to sit near the driver on the night bus when I was {age}.",
    "A coworker said I was too pretty to be an engineer and everyone laughed.",
)
COMMENTARY = (
    "This hashtag is not about hating men, it is about the fear women are taught to live with.",
    "Read the stories under this tag before you say sexism is over.",
    "The point is not that every man is dangerous. The point is that every woman has a story.",
    "Thousands of women telling the same story is not a coincidence, it is a pattern.",
    "If your first reaction to these stories is to defend yourself, you are missing the point.",
    "Journalists: the numbers on this hashtag tell you how common harassment really is.",
    "Watching this tag all night. So many women, so many stories.",
    "Every reply saying not all men proves exactly why this conversation is needed.",
)
SUPPORT = (
    "Standing with every woman sharing her story tonight.",
    "As a man I am reading every one of these and listening. Thank you for speaking up.",
    "Men, read this tag. Just read it.",
    "Proud of my sisters, my mum and my friends for speaking out.",
    "Sending love to everyone who found the courage to post today.",
    "This is why we teach our sons about respect.",
)
BACKLASH = (
    "Not all men are like that, stop generalising.",
    "Women want equality until the bill comes.",
    "Typical feminists turning one story into a war on men.",
    "He was a supreme gentleman and they will never understand him.",
    "Another day, another hashtag blaming men for everything.",
    "If women just dressed sensibly none of this would happen.",
    "Feminists hate men, simple as that.",
    "Funny how nobody talks about what women do to men.",
    "The supreme gentleman had a point and you all know it.",
    "Women are too emotional to run anything, this hashtag proves it.",
    "Stop playing the victim, nobody is following you home.",
)
REPLY_SUPPORT = (
    "I am so sorry this happened to you.",
    "Same here. It happened to me too at {age}.",
    "Thank you for sharing this, it took courage.",
    "This. Exactly this.",
    "Sending you a hug. You are not alone.",
)
REPLY_BACKLASH = (
    "Not all men though.",
    "Sounds made up to be honest.",
    "Maybe stop walking home alone then.",
    "Attention seeking again I see.",
    "Why do you hate men so much?",
    "Calm down, it was a compliment.",
)
QUOTE_SUPPORT = ("Please read this.", "Everyone needs to see this.", "This thread.", "Exactly why this tag exists.")
QUOTE_BACKLASH = ("Look at this nonsense.", "And people wonder why men are tired.", "Ridiculous.", "Imagine believing this.")
SPANISH = (
    "A los {age} un hombre me siguió hasta casa desde el {place_es}. Nunca lo olvidé.",
    "Llevo las llaves entre los dedos cada vez que vuelvo sola del {place_es}.",
    "No se trata de odiar a los hombres, se trata del miedo con el que vivimos.",
    "Gracias a todas las mujeres que comparten sus historias hoy.",
)
FRENCH = (
    "À {age} ans un homme m'a suivie depuis le {place_fr} jusqu'à chez moi.",
    "Je fais semblant de téléphoner pour me sentir en sécurité en rentrant du {place_fr}.",
    "Ce n'est pas de la haine des hommes, c'est la peur qu'on nous apprend.",
    "Merci à toutes celles qui partagent leur histoire aujourd'hui.",
)
PLACES = ("bus stop", "train station", "bar", "library", "gym", "supermarket", "park", "office")
PLACES_ES = ("metro", "bar", "trabajo", "parque", "gimnasio")
PLACES_FR = ("métro", "bar", "travail", "parc", "cinéma")
AGES = ("12", "13", "14", "15", "16", "17", "19", "21", "24")


def pick_weighted(rng: random.Random, table: tuple[tuple, ...]) -> tuple:
    """One row of a (..., weight) table."""
    total = sum(row[-1] for row in table)
    x = rng.random() * total
    for row in table:
        x -= row[-1]
        if x < 0:
            return row
    return table[-1]


def fill(rng: random.Random, template: str) -> str:
    """A template with its slots filled."""
    if "{" not in template:
        return template
    return template.format(
        age=rng.choice(AGES), place=rng.choice(PLACES), place_es=rng.choice(PLACES_ES), place_fr=rng.choice(PLACES_FR)
    )


def body(rng: random.Random, stance: str, kind: str, lang: str) -> str:
    """The sentence(s) of a post, before hashtags, mentions and links are added."""
    if lang == "es":
        return fill(rng, rng.choice(SPANISH))
    if lang == "fr":
        return fill(rng, rng.choice(FRENCH))
    if kind == "reply":
        return fill(rng, rng.choice(REPLY_BACKLASH if stance == "backlash" else REPLY_SUPPORT))
    if kind == "quote":
        return rng.choice(QUOTE_BACKLASH if stance == "backlash" else QUOTE_SUPPORT)
    if stance == "backlash":
        text = rng.choice(BACKLASH)
        if rng.random() < 0.3:
            text += " " + rng.choice(BACKLASH)
        return text if text.count("supreme gentleman") < 2 else rng.choice(BACKLASH[:3])
    r = rng.random()
    pool = TESTIMONY if r < 0.5 else COMMENTARY if r < 0.8 else SUPPORT
    text = fill(rng, rng.choice(pool))
    if rng.random() < 0.35:  # a second sentence: many posts go past 140 characters
        text += " " + fill(rng, rng.choice(COMMENTARY if pool is TESTIMONY else TESTIMONY))
    return text


def hashtags(rng: random.Random, stance: str, kind: str, lang: str) -> list[tuple[str, str]]:
    """(as written, counting key) of each hashtag a post carries, one spelling per key."""
    rate = 0.92 if kind in ("original", "quote") else 0.45
    tags: list[tuple[str, str]] = []
    if stance == "backlash":
        if rng.random() < rate:
            tags.append(pick_weighted(rng, COUNTER_SPELLINGS)[:2])
        if rng.random() < 0.35 * rate:
            tags.append(pick_weighted(rng, MAIN_SPELLINGS)[:2])
    else:
        if rng.random() < rate:
            tags.append(pick_weighted(rng, MAIN_SPELLINGS)[:2])
        if rng.random() < 0.04:
            tags.append(pick_weighted(rng, COUNTER_SPELLINGS)[:2])
    if kind != "reply":
        for tag, weight in CO_TAGS[stance]:
            if rng.random() * 100 < weight:
                tags.append((tag, tag.lower()))
    if lang in LANG_TAGS and rng.random() * 100 < LANG_TAGS[lang][1]:
        tag = LANG_TAGS[lang][0]
        tags.append((tag, tag.lower()))
    seen: set[str] = set()
    out = []
    for written, key in tags:
        if key not in seen:
            seen.add(key)
            out.append((written, key))
    return out
