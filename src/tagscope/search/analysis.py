"""Text analysis: how post text becomes index terms, shared by indexing, queries and highlighting.

One rule for every language, so a query is analysed exactly like the posts it should find:

1. Unicode NFKC, then ``casefold`` (full-width letters, ligatures, ``ß`` → ``ss``);
2. split into tokens: a run of letters/digits/marks/``_`` is a word; every CJK ideograph, kana or
   hangul syllable is a token of its own (so a Japanese phrase query is a run of characters); every
   emoji (``Extended_Pictographic``) is a token of its own; everything else separates tokens;
3. lower-case, fold accents to ASCII where Latin (``café`` → ``cafe``, ``niños`` → ``ninos``);
4. ``text`` terms are stemmed with the English Snowball stemmer (``feminists`` → ``feminist``,
   ``feminism`` → ``femin``); ``words`` terms are not (prefix queries use them).

Stop words are never removed ("not all men" is a phrase that matters). Hashtags and mentions are
also indexed whole, from the post's ``hashtags_norm`` and ``mentions`` columns, in their own fields.
"""

from __future__ import annotations

import unicodedata

import tantivy

_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}"
# Rust regex syntax (tantivy's regex tokenizer): word | CJK character | emoji. Words first: twice
# as fast on mostly-Latin text, and the same tokens (the three classes do not overlap).
TOKEN_PATTERN = (
    rf"[[\p{{L}}\p{{N}}_]--[{_CJK}]][[\p{{L}}\p{{M}}\p{{N}}_]--[{_CJK}\x{{FE0F}}\x{{200D}}]]*"
    rf"|[{_CJK}]"
    r"|\p{Extended_Pictographic}"
)

STEMMED = "tagscope_stemmed"
PLAIN = "tagscope_plain"
KEYWORD = "tagscope_keyword"
SPLIT_STEMMED = "tagscope_split_stemmed"
SPLIT_PLAIN = "tagscope_split_plain"


def _builder(tokenizer: tantivy.Tokenizer | None = None) -> tantivy.TextAnalyzerBuilder:
    return (
        tantivy.TextAnalyzerBuilder(tokenizer or tantivy.Tokenizer.regex(TOKEN_PATTERN))
        .filter(tantivy.Filter.remove_long(80))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )


def stemmed_analyzer() -> tantivy.TextAnalyzer:
    return _builder().filter(tantivy.Filter.stemmer("english")).build()


def plain_analyzer() -> tantivy.TextAnalyzer:
    return _builder().build()


def split_stemmed_analyzer() -> tantivy.TextAnalyzer:
    """The stemmed analyzer over text already split by :func:`split` (the index's ``text`` field)."""
    return _builder(tantivy.Tokenizer.whitespace()).filter(tantivy.Filter.stemmer("english")).build()


def split_plain_analyzer() -> tantivy.TextAnalyzer:
    """The plain analyzer over text already split by :func:`split` (the index's ``words`` field)."""
    return _builder(tantivy.Tokenizer.whitespace()).build()


def keyword_analyzer() -> tantivy.TextAnalyzer:
    """Whole values (hashtags, handles, file names): no splitting, already folded by us."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).build()


_STEMMED = stemmed_analyzer()
_PLAIN = plain_analyzer()
_RAW = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN)).build()  # tokens, no filters
# ASCII text: a token is a run of these (no marks, CJK or emoji in ASCII), so one vectorised regex
# splits a whole column exactly as TOKEN_PATTERN would.
ASCII_SEPARATORS = r"[^A-Za-z0-9_]+"


def register(index: tantivy.Index) -> None:
    """Make the analyzers known to an index (needed for every open, not stored in the index)."""
    index.register_tokenizer(STEMMED, stemmed_analyzer())
    index.register_tokenizer(PLAIN, plain_analyzer())
    index.register_tokenizer(KEYWORD, keyword_analyzer())
    index.register_tokenizer(SPLIT_STEMMED, split_stemmed_analyzer())
    index.register_tokenizer(SPLIT_PLAIN, split_plain_analyzer())


def normalize(text: str) -> str:
    """NFKC + casefold: applied to post text before indexing and to every query term."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def split(text: str) -> str:
    """The raw tokens of normalised TEXT joined by spaces: what the ``split_*`` analyzers index.

    tantivy's regex tokenizer costs ~15 µs a post, three quarters of an index build, while its
    whitespace tokenizer is ~4× faster; tokens never contain whitespace, so splitting first and
    filtering after gives the same terms at the same positions (queries still use the regex)."""
    return " ".join(t.text for t in _RAW.pre_tokenize(text).tokens)


def fold_handle(handle: str) -> str:
    """Handles match case-insensitively and without the '@'."""
    return normalize(handle.strip().lstrip("@＠"))


def terms(text: str) -> list[str]:
    """Stemmed terms of a text, as the ``text`` field indexes them."""
    return list(_STEMMED.analyze(normalize(text)))


def plain_terms(text: str) -> list[str]:
    """Unstemmed terms of a text, as the ``words`` field indexes them."""
    return list(_PLAIN.analyze(normalize(text)))


def spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, stemmed term, plain term) for each token of the original text, for highlighting."""
    out = []
    for tok in _PLAIN.pre_tokenize(text).tokens:
        plain = normalize(tok.text)
        stem = _STEMMED.analyze(plain)
        out.append((tok.char_offset_from, tok.char_offset_to, stem[0] if stem else plain, plain))
    return out
