"""The XPath that XLSForm writes in `relevant`, `constraint` and `choice_filter`, read into
Sauti's expressions (`dialogues/expressions.py`) where the two languages meet, and written back.

What maps: `${q} = 'a'` and the other comparisons with a fixed value, `selected(${q}, 'a')`,
`count-selected(${q})`, `${q} != ''` and `string-length(${q}) > 0` (the question was answered),
`and`, `or`, `not(...)`, brackets. In a constraint `.` is the answer being checked, and
`today()` and `date('2020-01-31')` the limits of a date. Anything
else (arithmetic, other functions, two answers compared) is refused with its column, because
Sauti must be able to say in chat why it asks again, in every language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogues.expressions import (
    And,
    Answered,
    Compare,
    Expr,
    ExpressionError,
    InSet,
    LiteralValue,
    Not,
    Operator,
    Or,
    Selected,
)
from dialogues.problem_codes import Param, ProblemCode

#: `today()` in a constraint, as the value of a comparison.
TODAY = "today"
#: The answer a constraint checks (`.`), as the question name of a comparison.
SELF = "."
#: `string-length(x) op n`: compared as the count of a Compare on this prefix plus the name.
LENGTH_PREFIX = "#length:"

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{\s*[^}\s]+\s*\})
    | (?P<number>-?(?:\d+(?:\.\d+)?|\.\d+))
    | (?P<string>'[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”)
    | (?P<function>[A-Za-z_][A-Za-z0-9_:.-]*(?=\s*\())
    | (?P<name>[A-Za-z_][A-Za-z0-9_.-]*)
    | (?P<self>\.)
    | (?P<op>!=|<=|>=|=|<|>|&lt;=|&gt;=|&lt;|&gt;)
    | (?P<punct>[(),])
    | (?P<arithmetic>[-+*|])
    )""",
    re.VERBOSE,
)
_FLIPPED: dict[Operator, Operator] = {
    "=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=",
}  # fmt: skip
_ARITHMETIC = "Sauti cannot calculate with answers (+, -, *, div, mod)"
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&lt;=": "<=", "&gt;=": ">="}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


@dataclass(frozen=True, slots=True)
class _Operand:
    """One side of a comparison: an answer (`question`), a count of one, or a fixed value."""

    question: str | None = None
    counted: bool = False
    length: bool = False
    value: LiteralValue | None = None


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while source[position:].strip():
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            column = len(source) - len(source[position:].lstrip()) + 1
            character = repr(source[column - 1])
            raise ExpressionError(
                f"unexpected character {character}",
                column,
                ProblemCode.UNEXPECTED_CHARACTER,
                {"found": character},
            )
        kind = match.lastgroup
        token = _Token(kind, match.group(kind), match.start(kind) + 1)
        if kind == "function" and token.text in ("and", "or"):
            token = _Token("name", token.text, token.column)  # `a or (b)`: a word, not a call
        tokens.append(token)
        position = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str, *, columns: bool) -> None:
        self.tokens = _tokenize(source)
        self.index = 0
        self.columns = columns  # choice_filter: a bare name is a column of the choices sheet

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.current
        return token.kind == kind and (text is None or token.text == text)

    def fail(
        self,
        message: str,
        code: ProblemCode,
        token: _Token | None = None,
        **params: Param,
    ) -> ExpressionError:
        return ExpressionError(message, (token or self.current).column, code, params)

    def expect(self, kind: str, text: str) -> None:
        if not self.at(kind, text):
            found = "the end" if self.at("end") else repr(self.current.text)
            raise self.fail(
                f"expected '{text}', found {found}",
                ProblemCode.EXPECTED_TOKEN,
                expected=text,
                found=found,
            )
        self.take()

    def parse(self) -> Expr:
        expr = self.parse_or()
        if not self.at("end"):
            found = repr(self.current.text)
            raise self.fail(
                f"unexpected {found}; join conditions with and / or",
                ProblemCode.UNJOINED_CONDITIONS,
                found=found,
            )
        return expr

    def parse_or(self) -> Expr:
        operands = [self.parse_and()]
        while self.at("name", "or"):
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Expr:
        operands = [self.parse_condition()]
        while self.at("name", "and"):
            self.take()
            operands.append(self.parse_condition())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_condition(self) -> Expr:
        if self.at("punct", "("):
            self.take()
            inner = self.parse_or()
            self.expect("punct", ")")
            return inner
        if self.at("function", "not"):
            self.take()
            self.expect("punct", "(")
            inner = self.parse_or()
            self.expect("punct", ")")
            return Not(inner)
        if self.at("function", "selected"):
            return self.parse_selected()
        start = self.current
        left = self.parse_operand()
        if self.at("arithmetic") or (self.at("number") and self.current.text.startswith("-")):
            raise self.fail(_ARITHMETIC, ProblemCode.ARITHMETIC)
        if self.at("name", "div") or self.at("name", "mod"):
            raise self.fail(_ARITHMETIC, ProblemCode.ARITHMETIC)
        if not self.at("op"):
            raise self.fail(
                "expected a comparison (=, !=, <, <=, >, >=)", ProblemCode.EXPECTED_XPATH_COMPARISON
            )
        op_token = self.take()
        op: Operator = _ENTITIES.get(op_token.text, op_token.text)  # type: ignore[assignment]
        right = self.parse_operand()
        return _comparison(left, op, right, start)

    def parse_selected(self) -> Expr:
        self.take()
        self.expect("punct", "(")
        operand = self.parse_operand()
        self.expect("punct", ",")
        option = self.parse_operand()
        self.expect("punct", ")")
        if operand.question is None or operand.counted or option.value is None:
            raise self.fail(
                "selected() takes an answer and a quoted choice name",
                ProblemCode.SELECTED_NEEDS_CHOICE,
            )
        return Selected(operand.question, str(option.value))

    def parse_operand(self) -> _Operand:
        token = self.current
        if token.kind == "ref":
            self.take()
            return _Operand(question=token.text[2:-1].strip())
        if token.kind == "self":
            self.take()
            return _Operand(question=SELF)
        if token.kind == "string":
            self.take()
            return _Operand(value=token.text[1:-1])
        if token.kind == "number":
            self.take()
            return _Operand(value=float(token.text) if "." in token.text else int(token.text))
        if token.kind == "name" and self.columns and token.text not in ("and", "or"):
            self.take()
            return _Operand(question=token.text)
        if token.kind == "function" and token.text in ("count-selected", "string-length"):
            self.take()
            self.expect("punct", "(")
            inner = self.parse_operand()
            self.expect("punct", ")")
            if inner.question is None:
                raise self.fail(
                    f"{token.text}() takes an answer, like ${{q}}",
                    ProblemCode.FUNCTION_NEEDS_ANSWER,
                    token,
                    function=token.text,
                )
            counted = token.text == "count-selected"
            return _Operand(question=inner.question, counted=counted, length=not counted)
        if token.kind == "function" and token.text in ("today", "date"):
            return self.parse_day(token)
        if token.kind == "function":
            raise self.fail(
                f"Sauti cannot use {token.text}() in chat",
                ProblemCode.FUNCTION_NOT_IN_CHAT,
                token,
                function=token.text,
            )
        if token.kind == "arithmetic":
            raise self.fail(_ARITHMETIC, ProblemCode.ARITHMETIC, token)
        if token.kind == "name":
            raise self.fail(
                f"{token.text!r}: refer to a question as ${{{token.text}}}, "
                f"and quote a choice name as '{token.text}'",
                ProblemCode.BARE_NAME,
                token,
                name=token.text,
            )
        found = "the end" if token.kind == "end" else repr(token.text)
        raise self.fail(
            f"expected an answer like ${{q}}, a number or a quoted text, found {found}",
            ProblemCode.EXPECTED_OPERAND,
            found=found,
        )

    def parse_day(self, token: _Token) -> _Operand:
        """`today()` or `date('2020-01-31')`, the limits of a date question's constraint."""
        self.take()
        self.expect("punct", "(")
        if token.text == "today":
            self.expect("punct", ")")
            return _Operand(value=TODAY)
        inner = self.current
        if inner.kind != "string":
            raise self.fail(
                "date() takes a quoted date, like date('2020-01-31')",
                ProblemCode.DATE_NEEDS_QUOTED,
                inner,
            )
        self.take()
        self.expect("punct", ")")
        return _Operand(value=inner.text[1:-1])


def _comparison(left: _Operand, op: Operator, right: _Operand, start: _Token) -> Expr:
    if left.question is None and right.question is not None:
        left, right, op = right, left, _FLIPPED[op]
    if left.question is None or right.value is None:
        raise ExpressionError(
            "compare one answer with a fixed value: Sauti cannot compare two answers, "
            "or two fixed values",
            start.column,
            ProblemCode.TWO_ANSWERS_COMPARED,
        )
    if left.length:
        return Compare(LENGTH_PREFIX + left.question, op, right.value, count=True)
    if right.value == "" and not left.counted:
        if op == "!=":
            return Answered(left.question)
        if op == "=":
            return Not(Answered(left.question))
        raise ExpressionError(
            "only = and != compare with ''", start.column, ProblemCode.EMPTY_ORDERED
        )
    return Compare(left.question, op, right.value, count=left.counted)


def parse_xpath(source: str, *, columns: bool = False) -> Expr:
    """Read an XLSForm expression; ExpressionError (with a 1-based column) when it cannot map.
    With `columns`, a bare name is a column of the choices sheet (choice_filter)."""
    return canonical(_Parser(source, columns=columns).parse())


def canonical(expr: Expr) -> Expr:
    """`string-length(${q}) > 0` means "answered", and `${q} = 'a' or ${q} = 'b'` is
    Sauti's `q in ('a', 'b')`: one shape for each meaning, so a round trip gives back the
    expression it started from."""
    match expr:
        case Compare(question, op, value, True) if question.startswith(LENGTH_PREFIX):
            name = question[len(LENGTH_PREFIX) :]
            if name != SELF and (op, value) in ((">", 0), ("!=", 0), (">=", 1)):
                return Answered(name)
            return expr
        case InSet(question, values) if len(values) == 1:
            return Compare(question, "=", values[0])
        case Not(operand):
            return Not(canonical(operand))
        case And(operands):
            return And(tuple(canonical(o) for o in operands))
        case Or(operands):
            parts = tuple(canonical(o) for o in operands)
            return _as_set(parts) or Or(parts)
    return expr


def _as_set(parts: tuple[Expr, ...]) -> InSet | None:
    if not all(isinstance(p, Compare) and p.op == "=" and not p.count for p in parts):
        return None
    compares = [p for p in parts if isinstance(p, Compare)]
    names = {c.question for c in compares}
    if len(names) != 1 or SELF in names:
        return None
    return InSet(compares[0].question, tuple(c.value for c in compares))


# -- writing -----------------------------------------------------------------------------------


def to_xpath(expr: Expr) -> str:
    """A Sauti expression as XLSForm writes it."""
    return _xpath(expr, top=True)


def _xpath(expr: Expr, *, top: bool = False) -> str:
    match expr:
        case And(operands):
            text = " and ".join(_xpath(o) for o in operands)
            return text if top else f"({text})"
        case Or(operands):
            text = " or ".join(_xpath(o) for o in operands)
            return text if top else f"({text})"
        case Not(operand):
            return f"not({_xpath(operand, top=True)})"
        case Answered(question):
            return f"${{{question}}} != ''"
        case Selected(question, option):
            return f"selected(${{{question}}}, {_literal(option)})"
        case InSet(question, values):
            text = " or ".join(f"${{{question}}} = {_literal(v)}" for v in values)
            return text if top else f"({text})"
        case Compare(question, op, value, count):
            subject = f"count-selected(${{{question}}})" if count else f"${{{question}}}"
            return f"{subject} {op} {_literal(value)}"
    raise AssertionError(expr)  # pragma: no cover - the match above is exhaustive


def to_sauti(expr: Expr) -> str:
    """A Sauti expression as a survey file writes it (`relevant:`)."""
    return _sauti(expr, top=True)


def _sauti(expr: Expr, *, top: bool = False) -> str:
    match expr:
        case And(operands):
            text = " and ".join(_sauti(o) for o in operands)
            return text if top else f"({text})"
        case Or(operands):
            text = " or ".join(_sauti(o) for o in operands)
            return text if top else f"({text})"
        case Not(operand):
            return f"not {_sauti(operand)}"
        case Answered(question):
            return f"answered({question})"
        case Selected(question, option):
            return f"selected({question}, {_literal(option)})"
        case InSet(question, values):
            return f"{question} in ({', '.join(_literal(v) for v in values)})"
        case Compare(question, op, value, count):
            subject = f"count({question})" if count else question
            return f"{subject} {op} {_literal(value)}"
    raise AssertionError(expr)  # pragma: no cover - the match above is exhaustive


def _literal(value: LiteralValue) -> str:
    if isinstance(value, str):
        return f'"{value}"' if "'" in value else f"'{value}'"
    return repr(value)
