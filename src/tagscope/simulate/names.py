"""Invented people and places for the simulated campaign: handles, display names, bios, news sites.

Everything is derived from an account's index with a bijection or a cheap hash, so no per-account
strings are kept in memory and the same seed gives the same names. No name belongs to a real person:
handles join two common words, display names join made-up syllables, news sites use the reserved
``.example`` top-level domain.
"""

from __future__ import annotations

from functools import lru_cache

_WORDS_A = ["quiet", "amber", "maple", "silver", "cobalt", "velvet", "rusty", "misty", "lunar", "solar", "golden", "hidden", "brave", "little", "wild", "paper", "copper", "crimson", "gentle", "restless", "salty", "sunny", "windy", "frosty", "bright", "dusty", "hollow", "lucky", "rapid", "scarlet", "smoky", "snowy", "stormy", "sweet", "tidy", "urban", "violet", "wandering", "woolly", "autumn", "coral", "ember", "ivory"]
_WORDS_B = ["river", "fox", "sparrow", "harbor", "meadow", "lantern", "orchard", "pebble", "thistle", "willow", "comet", "falcon", "garden", "island", "kettle", "ladder", "magpie", "nettle", "otter", "pepper", "quill", "raven", "saddle", "tulip", "umbrella", "walnut", "yarrow", "badger", "cedar", "dune", "fern", "heron", "juniper", "kite", "lark", "moth", "puffin", "reed", "sorrel", "teacup", "wren", "acorn", "biscuit"]
_SYL_FIRST = ("ma", "li", "so", "ka", "re", "an", "el", "jo", "da", "mi", "ta", "no", "ve", "ro", "sa", "be")
_SYL_MID = ("ri", "la", "ne", "mo", "vi", "sa", "ren", "li", "de", "ta", "na", "ro")
_SYL_END = ("a", "el", "on", "ie", "an", "o", "ine", "is", "ara", "en", "ette", "us")
_SUR_1 = ("Dov", "Hal", "Mer", "Tas", "Bren", "Cor", "Fal", "Gr", "Lind", "Ost", "Pell", "Quen", "Rav", "Sel", "Thw", "Vand")
_SUR_2 = ("anti", "ström", "ewell", "arro", "insky", "eton", "ova", "ique", "ford", "amar", "elli", "erby")
_PLACES = (
    "Northbridge", "Lake Corran", "Port Ellis", "Ravensby", "Millhaven", "Oakhurst", "Silverton Bay",
    "East Marlow", "Brindle Falls", "Westmere", None, None, None, None,
)
_ROLES = (
    "writer", "nurse", "student", "teacher", "software engineer", "mum of two", "dad", "gamer", "barista",
    "photographer", "lawyer", "grad student", "librarian", "designer", "coach", "musician", "journalist",
    "researcher", "activist", "runner", "cat person", "retired", "small business owner", "chef",
)
_LIKES = (
    "coffee first", "tea > coffee", "views my own", "books and bikes", "probably at the gym", "loves dogs",
    "film nerd", "sci-fi reader", "plant parent", "sports fan", "bad puns", "night owl", "",
)
# (code, how it appears in a bio): the `audience` analytic reads self-declared pronouns.
PRONOUNS = ("she/her", "he/him", "they/them", "none")
_PRONOUN_FORMS = {
    "she/her": ("she/her", "(she/her)", "pronouns: she/her", "she/her 🌸"),
    "he/him": ("he/him", "(he/him)", "pronouns: he/him"),
    "they/them": ("they/them", "(they/them)", "pronouns: they/them"),
    "none": ("",),
}
NEWS_SITES = (
    "northbridge-gazette.example", "harbourtimes.example", "dailyledger.example", "thecitizenpost.example",
    "morningwire.example", "elcorreo-sur.example", "lejournaldulac.example", "opinionhub.example",
    "mensrightsforum.example", "womensvoice.example",
)
_SLUGS = (
    "why-yesallwomen-matters", "the-hashtag-that-started-a-conversation", "women-share-stories-online",
    "notallmen-backlash-explained", "what-the-campaign-means", "voices-from-the-hashtag",
    "everyday-sexism-in-numbers", "opinion-the-debate-online", "how-a-tweet-became-a-movement",
)
_COMBOS = len(_WORDS_A) * len(_WORDS_B)


@lru_cache(maxsize=1 << 16)
def handle(idx: int) -> str:
    """A unique handle for account IDX: two words, then a number once the word pairs run out."""
    combo = (idx * 7919) % _COMBOS
    n = idx // _COMBOS
    base = _WORDS_A[combo // len(_WORDS_B)] + _WORDS_B[combo % len(_WORDS_B)]
    return base if n == 0 else f"{base}{n}"


def _mix(idx: int, salt: int) -> int:
    return ((idx + 1) * 2654435761 + salt * 40503) & 0xFFFFFFFF


@lru_cache(maxsize=1 << 16)
def display_name(idx: int) -> str:
    """An invented display name built from syllables."""
    h = _mix(idx, 1)
    first = _SYL_FIRST[h % 16] + _SYL_MID[(h >> 4) % 12] + _SYL_END[(h >> 8) % 12]
    last = _SUR_1[(h >> 12) % 16] + _SUR_2[(h >> 16) % 12]
    return f"{first.title()} {last}"


@lru_cache(maxsize=1 << 16)
def user_id(idx: int) -> str:
    """A numeric account id (unique: multiplication by a prime modulo a number it does not divide)."""
    return str(20_000_000 + (idx * 7919) % 2_500_000_000)


def location(idx: int) -> str | None:
    return _PLACES[_mix(idx, 2) % len(_PLACES)]


def bio(idx: int, pronoun: str) -> str | None:
    """A short bio; the pronoun form (if any) comes first or last, as people write it."""
    h = _mix(idx, 3)
    forms = _PRONOUN_FORMS[pronoun]
    parts = [_ROLES[h % len(_ROLES)].capitalize() + ".", _LIKES[(h >> 5) % len(_LIKES)]]
    text = " ".join(p for p in parts if p)
    form = forms[(h >> 9) % len(forms)]
    if form:
        text = f"{form} · {text}" if (h >> 12) & 1 else f"{text} {form}"
    if (h >> 13) % 9 == 0:
        return None
    return text


def news_url(h: int) -> tuple[str, str]:
    """(domain, expanded URL) of an invented news article."""
    domain = NEWS_SITES[h % len(NEWS_SITES)]
    return domain, f"https://{domain}/2014/05/{_SLUGS[(h >> 4) % len(_SLUGS)]}-{(h >> 8) % 9000 + 1000}"
