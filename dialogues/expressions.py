"""`relevant` expressions: a tiny language over earlier answers, parsed once, evaluated purely.

Grammar (lowest precedence first):
    expr    := and_ ("or" and_)*
    and_    := unary ("and" unary)*
    unary   := "not" unary | atom
    atom    := "(" expr ")" | "answered(" ID ")" | "selected(" ID "," STRING ")"
             | operand OP literal | ID "in" "(" literal ("," literal)* ")"
    operand := ID | "count(" ID ")"
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from dialogues.problem_codes import Param, ProblemCode

#: What a recorded (non-text) answer looks like inside a session.
AnswerValue = str | int | float | tuple[str, ...]
LiteralValue = str | int | float
Operator = TypingLiteral["=", "!=", "<", "<=", ">", ">="]

KEYWORDS = frozenset({"and", "or", "not", "in", "selected", "count", "answered", "true", "false"})


class ExpressionError(ValueError):
    """A `relevant` expression that does not parse; `column` is 1-based. `code` and `params`
    say `message` in stable parts, for readers of other languages."""

    def __init__(
        self,
        message: str,
        column: int,
        code: ProblemCode,
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.code = code
        self.params: dict[str, Param] = dict(params or {})


@dataclass(frozen=True, slots=True)
class Compare:
    question: str
    op: Operator
    value: LiteralValue
    count: bool = False  # compares count(question) instead of the answer itself


@dataclass(frozen=True, slots=True)
class InSet:
    question: str
    values: tuple[LiteralValue, ...]


@dataclass(frozen=True, slots=True)
class Selected:
    question: str
    option: str


@dataclass(frozen=True, slots=True)
class Answered:
    question: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Compare | InSet | Selected | Answered | Not | And | Or
Reference = Compare | InSet | Selected | Answered

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>'[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|=|<|>)
    | (?P<punct>[(),\[\]])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            column = position + len(source[position:]) - len(source[position:].lstrip()) + 1
            character = repr(source[column - 1])
            raise ExpressionError(
                f"unexpected character {character}",
                column,
                ProblemCode.UNEXPECTED_CHARACTER,
                {"found": character},
            )
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0

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

    def expect(self, kind: str, text: str, what: str) -> _Token:
        if not self.at(kind, text):
            raise ExpressionError(
                f"expected {what}, found {self._describe()}",
                self.current.column,
                ProblemCode.EXPECTED_TOKEN,
                {"expected": text, "found": self._describe()},
            )
        return self.take()

    def _describe(self) -> str:
        token = self.current
        return "the end" if token.kind == "end" else repr(token.text)

    def parse(self) -> Expr:
        expr = self.parse_or()
        if not self.at("end"):
            raise ExpressionError(
                f"unexpected {self._describe()}; join conditions with 'and' or 'or'",
                self.current.column,
                ProblemCode.UNJOINED_CONDITIONS,
                {"found": self._describe()},
            )
        return expr

    def parse_or(self) -> Expr:
        operands = [self.parse_and()]
        while self.at("name", "or"):
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Expr:
        operands = [self.parse_unary()]
        while self.at("name", "and"):
            self.take()
            operands.append(self.parse_unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_unary(self) -> Expr:
        if self.at("name", "not"):
            self.take()
            return Not(self.parse_unary())
        return self.parse_atom()

    def parse_atom(self) -> Expr:
        if self.at("punct", "("):
            self.take()
            inner = self.parse_or()
            self.expect("punct", ")", "')'")
            return inner
        if self.at("name", "answered"):
            self.take()
            self.expect("punct", "(", "'(' after answered")
            question = self.question_name()
            self.expect("punct", ")", "')'")
            return Answered(question)
        if self.at("name", "selected"):
            self.take()
            self.expect("punct", "(", "'(' after selected")
            question = self.question_name()
            self.expect("punct", ",", "',' between the question and the option")
            option = self.literal()
            self.expect("punct", ")", "')'")
            if not isinstance(option, str):
                raise ExpressionError(
                    "selected() takes a quoted option id",
                    self.current.column,
                    ProblemCode.SELECTED_NEEDS_OPTION,
                )
            return Selected(question, option)
        counted = False
        if self.at("name", "count"):
            self.take()
            self.expect("punct", "(", "'(' after count")
            question = self.question_name()
            self.expect("punct", ")", "')'")
            counted = True
        else:
            question = self.question_name()
        if not counted and self.at("name", "in"):
            self.take()
            return InSet(question, self.literal_list())
        if not self.at("op"):
            raise ExpressionError(
                f"expected a comparison (=, !=, <, <=, >, >=) after {question!r}, "
                f"found {self._describe()}",
                self.current.column,
                ProblemCode.EXPECTED_COMPARISON,
                {"question": question, "found": self._describe()},
            )
        op_text = self.take().text
        op: Operator = "=" if op_text == "==" else op_text  # type: ignore[assignment]
        return Compare(question, op, self.literal(), count=counted)

    def question_name(self) -> str:
        token = self.current
        if token.kind != "name" or token.text in KEYWORDS:
            raise ExpressionError(
                f"expected a question id, found {self._describe()}",
                token.column,
                ProblemCode.EXPECTED_QUESTION,
                {"found": self._describe()},
            )
        return self.take().text

    def literal(self) -> LiteralValue:
        token = self.current
        if token.kind == "string":
            self.take()
            return token.text[1:-1]
        if token.kind == "number":
            self.take()
            return float(token.text) if "." in token.text else int(token.text)
        if token.kind == "name":
            raise ExpressionError(
                f"option ids must be quoted: write '{token.text}'",
                token.column,
                ProblemCode.UNQUOTED_OPTION,
                {"option": token.text},
            )
        raise ExpressionError(
            f"expected a quoted option id or a number, found {self._describe()}",
            token.column,
            ProblemCode.EXPECTED_VALUE,
            {"found": self._describe()},
        )

    def literal_list(self) -> tuple[LiteralValue, ...]:
        closing = {"(": ")", "[": "]"}
        opening = self.current.text if self.current.kind == "punct" else ""
        if opening not in closing:
            raise ExpressionError(
                f"expected a list like ('a', 'b') after 'in', found {self._describe()}",
                self.current.column,
                ProblemCode.EXPECTED_LIST,
                {"found": self._describe()},
            )
        self.take()
        values = [self.literal()]
        while self.at("punct", ","):
            self.take()
            values.append(self.literal())
        self.expect("punct", closing[opening], f"'{closing[opening]}'")
        return tuple(values)


def parse_expression(source: str) -> Expr:
    """Parse a `relevant` expression; raises ExpressionError with a 1-based column."""
    return _Parser(source).parse()


def references(expr: Expr) -> Iterator[Reference]:
    """Every leaf of the expression, each naming one question — for validation."""
    match expr:
        case Not(operand):
            yield from references(operand)
        case And(operands) | Or(operands):
            for operand in operands:
                yield from references(operand)
        case _:
            yield expr


def evaluate(expr: Expr, values: Mapping[str, AnswerValue], answered: Collection[str]) -> bool:
    """True when the expression holds. `values` has recorded non-text answers; `answered` every
    question answered (text included). Anything about a skipped or unasked question is false."""
    match expr:
        case And(operands):
            return all(evaluate(operand, values, answered) for operand in operands)
        case Or(operands):
            return any(evaluate(operand, values, answered) for operand in operands)
        case Not(operand):
            return not evaluate(operand, values, answered)
        case Answered(question):
            return question in answered
        case Selected(question, option):
            value = values.get(question)
            return value == option or (isinstance(value, tuple) and option in value)
        case InSet(question, options):
            return values.get(question) in options
        case Compare(question, op, expected, count):
            value = values.get(question)
            if value is None:
                return False
            if count:
                value = len(value) if isinstance(value, tuple) else 1
            return _compare(value, op, expected)
    return False  # pragma: no cover - the match above is exhaustive


def _compare(actual: AnswerValue, op: Operator, expected: LiteralValue) -> bool:
    if op == "=":
        return actual == expected
    if op == "!=":
        return actual != expected
    if not isinstance(actual, int | float) or not isinstance(expected, int | float):
        return False
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    if op == ">":
        return actual > expected
    return actual >= expected
