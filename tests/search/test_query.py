"""The query language: trees for good queries, errors with a column for bad ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagscope.search.query import And, Mention, Not, Or, Phrase, Prefix, QuerySyntaxError, Tag, Word, leaves, parse


def test_implicit_and_binds_tighter_than_or():
    assert parse("a b OR c") == Or((And((Word("a", 1), Word("b", 3))), Word("c", 8)))


def test_terms_of_every_kind():
    tree = parse('"supreme gentleman" #NotAllMen @Alice femin* -troll')
    assert tree == And((
        Phrase("supreme gentleman", 1), Tag("NotAllMen", 21), Mention("Alice", 32), Prefix("femin", 39),
        Not(Word("troll", 47)),
    ))


def test_parentheses_and_not():
    assert parse("NOT (a OR b)") == Not(Or((Word("a", 6), Word("b", 11))))


def test_lower_case_operators_are_words():
    assert parse("not all men") == And((Word("not", 1), Word("all", 5), Word("men", 9)))


def test_hyphen_inside_a_word_is_not_negation():
    assert parse("e-mail") == Word("e-mail", 1)


def test_leaves_skip_negated_terms():
    assert leaves(parse("a NOT b (c OR -d)")) == [Word("a", 1), Word("c", 10)]


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ('women "supreme gent', "unbalanced quote", 7),
        ("(a OR b", "unbalanced '('", 1),
        ("a OR b)", "unexpected ')'", 7),
        ("a OR", "expected a term", 5),
        ("NOT", "expected a term", 4),
        ("", "empty query", 1),
        ("*", "'*' needs at least one character", 1),
        ("fe*m", "only allowed at the end", 3),
        ("# x", "'#' needs a hashtag", 1),
        ("@", "'@' needs a handle", 1),
        ('""', "empty phrase", 1),
        ("()", "empty parentheses", 1),
    ],
)
def test_syntax_errors_say_where(query: str, message: str, column: int):
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert message in str(info.value)
    assert info.value.column == column
    assert str(info.value).endswith(f"at column {column}")


@given(st.text(alphabet='ab "()#@*-ORNDT', max_size=30))
def test_parser_raises_only_syntax_errors(query: str):
    try:
        parse(query)
    except QuerySyntaxError as exc:
        assert 1 <= exc.column <= len(query) + 1


@pytest.mark.parametrize("query", ["(" * 3000 + "women" + ")" * 3000, "NOT " * 3000 + "women", "-" * 3000 + "women"])
def test_deep_nesting_is_a_syntax_error_not_a_recursion_error(query):
    """3000 nested '(' or NOT ran out of Python stack: a RecursionError traceback, no column."""
    with pytest.raises(QuerySyntaxError, match="nested more than 100 levels") as err:
        parse(query)
    assert err.value.column > 1


def test_nesting_up_to_the_limit_still_parses():
    node = parse("(" * 50 + "NOT " * 50 + "a" + ")" * 50)
    for _ in range(50):
        assert isinstance(node, Not)
        node = node.child
    assert node == Word("a", 251)
