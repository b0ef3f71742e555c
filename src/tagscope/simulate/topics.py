"""Planted sub-topics: what the simulated campaign "sparked", with their own words, start times and shares.

With ``simulate(..., topics=True)`` (``tagscope simulate --topics``; ``make demo`` turns it on) some
English originals and quotes by supporters say something about one of these sub-topics instead of the
generic testimony: each topic starts at its own time after the first post, takes its share of the
eligible posts while it runs, and one fades. Reposts carry their subject's text and so its topic. The
choice uses a random stream of its own, so the campaign's other draws (authors, kinds, tags, times)
stay those of the same seed without topics. Topic words avoid place names (the places ground truth
counts its own) and the phrase the search test counts ("supreme gentleman").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class Topic:
    """One planted sub-topic: from START_DAY (days after the first post) to END_DAY, SHARE of eligible posts."""

    name: str
    words: tuple[str, ...]  # its characteristic words (the truth names topics by them)
    start_day: float
    share: float
    sentences: tuple[str, ...]
    tails: tuple[str, ...]  # short sentences of the same topic that may follow one (more distinct texts)
    end_day: float | None = None


TOPICS = (
    Topic("mental-illness", ("mental illness", "misogyny", "shooter", "manifesto", "entitlement"), 0.0, 0.30, (
        "Stop blaming mental illness alone. Misogyny and entitlement drove this shooter.",
        "Mental health care matters, but so does the hatred of women all through his manifesto.",
        "The shooter's videos were full of misogyny, not just mental illness.",
        "Gun laws and background checks will not fix the entitlement some men feel toward women.",
        "Calling it mental illness lets everyone ignore the misogyny in the manifesto.",
        "His manifesto blamed women for rejecting him. That is entitlement, not only illness.",
    ), ("Misogyny kills.", "Name the misogyny.", "Entitlement is not an illness.", "Read the manifesto before you call it madness.", "Mental illness does not explain the hatred.", "This shooter told us why.",
    ), end_day=6.0),
    Topic("campus-assault", ("campus", "college", "sexual assault", "university", "title ix"), 1.0, 0.25, (
        "Colleges keep protecting athletes accused of sexual assault on campus while survivors are ignored.",
        "My university told me to stay quiet after the assault in my dorm. Campus safety is a joke.",
        "Title IX offices should investigate campus rape reports instead of burying them.",
        "Every freshman girl is warned to watch her drink at frat parties. That is campus culture.",
        "Survivors of sexual assault on campus deserve a real investigation, not mediation with their rapist.",
        "Sexual assault on college campuses is an epidemic and every university administrator knows it.",
    ), ("Believe campus survivors.", "Colleges must do better.", "Fix Title IX enforcement.", "No more silence on campus.", "Every university has this problem.", "Sexual assault is not a campus tradition.",
    )),
    Topic("pay-gap", ("pay gap", "equal pay", "promotion", "salary", "manager"), 3.0, 0.20, (
        "Women still earn less than men for the same job. The pay gap is real.",
        "My manager took credit for my work and gave the promotion to a man with less experience.",
        "Equal pay for equal work should not be a radical idea in any office.",
        "I asked for a salary raise and was told I was too aggressive in the negotiation.",
        "Found out my male colleague earns more for the same job title. Equal pay now.",
    ), ("Equal pay now.", "Mind the pay gap.", "Pay women fairly.", "Ask your manager what your colleagues earn.", "Salary transparency would end this.", "The promotion went to him again.",
    )),
    Topic("dress-code", ("dress code", "school", "sent home", "girls", "principal"), 7.0, 0.25, (
        "Girls get sent home from school for bare shoulders because the dress code says boys are distracted.",
        "School dress codes teach girls that their bodies are a distraction to boys.",
        "My daughter was sent home for wearing leggings. The principal said it was for the boys.",
        "Dress code rules punish girls and excuse boys. Measuring skirt lengths is not education.",
        "Teachers pulled girls out of class over the dress code while the boys kept learning.",
    ), ("Let girls learn.", "Scrap sexist dress codes.", "Shoulders are not a distraction.", "Teach boys respect instead.", "Another girl sent home today.", "The principal should apologise.",
    )),
    Topic("media-games", ("video games", "movies", "characters", "representation", "developers"), 10.0, 0.25, (
        "Video games and movies keep treating women as prizes for the hero to win.",
        "Count the female characters with a speaking line in the last blockbuster you watched.",
        "Gamers who send rape threats to female developers are part of the problem.",
        "Studios write women as girlfriends and victims. Representation in movies matters.",
        "Female game developers get harassed for asking for better characters. Representation matters.",
    ), ("Representation matters.", "Write better female characters.", "Stop harassing women developers.", "Women are not prizes.", "Movies can do better.", "Gamers, do better.",
    )),
)


class Planter:
    """Picks each eligible post's planted topic (or none) and writes its text, from its own random stream."""

    def __init__(self, seed: int, start_ms: int, topics: tuple[Topic, ...] = TOPICS):
        self.rng = random.Random(f"tagscope-topics-{seed}")
        self.start_ms = start_ms
        self.topics = topics

    def pick(self, ms: int) -> Topic | None:
        """A topic running at MS, each with its share; None: the post keeps its generic text."""
        day = (ms - self.start_ms) / _DAY_MS
        x = self.rng.random()
        for topic in self.topics:
            if topic.start_day <= day and (topic.end_day is None or day < topic.end_day):
                if x < topic.share:
                    return topic
                x -= topic.share
        return None

    def plant(self, ms: int, stance: str, kind: str, lang: str, text: str) -> tuple[str, str]:
        """(text, topic name) for a post composed at MS: English supporter originals and quotes may carry
        a topic; everything else keeps TEXT and no topic."""
        if stance != "supporter" or kind not in ("original", "quote") or lang != "en":
            return text, ""
        topic = self.pick(ms)
        if topic is None:
            return text, ""
        # One sentence, then up to two short ones of the same topic: posts on a topic share its words
        # without being copies of a few templates.
        out = self.rng.choice(topic.sentences)
        for tail in self.rng.sample(topic.tails, 2):
            if self.rng.random() < 0.6:
                out += " " + tail
        return out, topic.name
