"""Converting libcst expressions into `syntax` nodes, rendering each node's one-line text on the way.

The texts equal what `one_line_source` gives for the same node, but are built bottom-up in one pass:
running libcst's transformer and code generator for every node would cost more than parsing the file.
Only uncommon constructs (`Opaque` ones, lambdas, slices) fall back to `one_line_source`.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst

from auditor.python.parsing import one_line_source
from auditor.python.syntax import (
    Argument,
    Attribute,
    BitOr,
    Call,
    DictDisplay,
    Display,
    DisplayKind,
    EllipsisLiteral,
    Expr,
    Lambda,
    Name,
    Number,
    Opaque,
    String,
    Subscript,
)


def _spacing(whitespace: cst.BaseParenthesizableWhitespace | None) -> str:
    # As `one_line_source`: spacing that breaks the line (comments included) disappears.
    if isinstance(whitespace, cst.SimpleWhitespace):
        return whitespace.value.replace("\n", " ")  # a backslash continuation
    return ""


def _comma(comma: cst.Comma | cst.MaybeSentinel) -> str:
    if comma is cst.MaybeSentinel.DEFAULT:
        return ""
    # A line break after a comma becomes one space, so `[\n a,\n b\n]` reads `[a, b]`.
    after = " " if isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace) else _spacing(comma.whitespace_after)
    return f"{_spacing(comma.whitespace_before)},{after}"


def _parenthesized(node: cst.BaseExpression, core: str) -> str:
    if not node.lpar:
        return core
    opening = "".join(f"({_spacing(paren.whitespace_after)}" for paren in node.lpar)
    closing = "".join(f"{_spacing(paren.whitespace_before)})" for paren in node.rpar)
    return f"{opening}{core}{closing}"


class SyntaxConverter:
    """Converts the expressions of one file; forward references repeat a lot, so they are parsed once.

    Names repeat even more (`str`, `Optional`), and the nodes are immutable, so each is built once: that
    also makes the file's summary smaller to pickle.
    """

    def __init__(self) -> None:
        self._forward_references: dict[str, Expr | None] = {}
        self._names: dict[str, Name] = {}

    def convert(self, node: cst.BaseExpression, in_type: bool) -> Expr:
        """`in_type`: the expression sits where a type may be written, so its strings are forward references."""
        # One lookup by exact type: a chain of isinstance checks against libcst's ABC-based classes costs
        # more than the conversion itself. The parser builds only these concrete classes, never subclasses.
        converter = _CONVERTERS.get(type(node))
        return Opaque(one_line_source(node)) if converter is None else converter(self, node, in_type)

    def _name(self, node: cst.Name, in_type: bool) -> Expr:
        if node.lpar:
            return Name(node.value, _parenthesized(node, node.value))
        return self._bare_name(node.value)

    def _bare_name(self, identifier: str) -> Name:
        name = self._names.get(identifier)
        if name is None:
            name = self._names[identifier] = Name(identifier, identifier)
        return name

    def _number(self, node: cst.Integer | cst.Float, in_type: bool) -> Expr:
        return Number(_number_value(node), _parenthesized(node, node.value))

    def _ellipsis(self, node: cst.Ellipsis, in_type: bool) -> Expr:
        return EllipsisLiteral(_parenthesized(node, "..."))

    def _lambda(self, node: cst.Lambda, in_type: bool) -> Expr:
        return Lambda(self.convert(node.body, in_type=False), one_line_source(node))

    def _binary_operation(self, node: cst.BinaryOperation, in_type: bool) -> Expr:
        if not isinstance(node.operator, cst.BitOr):
            return Opaque(one_line_source(node))
        left = self.convert(node.left, in_type)
        right = self.convert(node.right, in_type)
        operator = f"{_spacing(node.operator.whitespace_before)}|{_spacing(node.operator.whitespace_after)}"
        return BitOr(left, right, _parenthesized(node, f"{left.text}{operator}{right.text}"))

    def _attribute(self, node: cst.Attribute, in_type: bool) -> Expr:
        owner = self.convert(node.value, in_type=False)
        dot = f"{_spacing(node.dot.whitespace_before)}.{_spacing(node.dot.whitespace_after)}"
        return Attribute(owner, node.attr.value, _parenthesized(node, f"{owner.text}{dot}{node.attr.value}"))

    def _subscript(self, node: cst.Subscript, in_type: bool) -> Expr:
        owner = self.convert(node.value, in_type=False)
        indexes = [element.slice for element in node.slice if isinstance(element.slice, cst.Index)]
        if len(indexes) < len(node.slice):
            return Subscript(owner, None, one_line_source(node))
        elements: list[Expr] = []
        rendered: list[str] = []
        last = len(node.slice) - 1
        for position, (element, index) in enumerate(zip(node.slice, indexes, strict=True)):
            converted = self.convert(index.value, in_type)
            elements.append(converted)
            star = f"{index.star}{_spacing(index.whitespace_after_star)}" if index.star is not None else ""
            # `one_line_source` drops the trailing comma of `X[a, b,]`, but not the tuple-making one of `X[a,]`.
            comma = "" if position == last and last > 0 else _comma(element.comma)
            rendered.append(f"{star}{converted.text}{comma}")
        core = (
            f"{owner.text}{_spacing(node.whitespace_after_value)}[{_spacing(node.lbracket.whitespace_after)}"
            f"{''.join(rendered)}{_spacing(node.rbracket.whitespace_before)}]"
        )
        return Subscript(owner, tuple(elements), _parenthesized(node, core))

    def _string(self, node: cst.SimpleString | cst.ConcatenatedString, in_type: bool) -> Expr:
        value = _string_value(node) if isinstance(node, cst.SimpleString) else node.evaluated_value
        if not isinstance(value, str):  # bytes, or an f-string part
            return Opaque(one_line_source(node))
        forward = self._forward_reference(value) if in_type else None
        return String(value, forward, _string_source(node))

    def _forward_reference(self, value: str) -> Expr | None:
        if value not in self._forward_references:
            self._forward_references[value] = self._parse_forward_reference(value.strip())
        return self._forward_references[value]

    def _parse_forward_reference(self, text: str) -> Expr | None:
        if text.isascii() and text.isidentifier() and not keyword.iskeyword(text):
            return self._bare_name(text)  # what libcst parses a bare name into, without starting its parser
        try:
            parsed = cst.parse_expression(text)
        except Exception:  # any text may sit in a string; what does not parse is simply not a type
            return None
        return self.convert(parsed, in_type=True)

    def _negative_number(self, node: cst.UnaryOperation, in_type: bool) -> Expr:
        operand = node.expression
        if not isinstance(node.operator, cst.Minus) or not isinstance(operand, cst.Integer | cst.Float):
            return Opaque(one_line_source(node))
        number = Number(_number_value(operand), _parenthesized(operand, operand.value))
        text = _parenthesized(node, f"-{_spacing(node.operator.whitespace_after)}{number.text}")
        return Number(-number.value, text)

    def _call(self, node: cst.Call, in_type: bool) -> Expr:
        function = self.convert(node.func, in_type=False)
        arguments: list[Argument] = []
        rendered: list[str] = []
        last = len(node.args) - 1
        for position, arg in enumerate(node.args):
            value = self.convert(arg.value, in_type)
            keyword = arg.keyword.value if arg.keyword is not None else None
            arguments.append(Argument(keyword, value))
            if isinstance(arg.equal, cst.AssignEqual):
                equal = f"{_spacing(arg.equal.whitespace_before)}={_spacing(arg.equal.whitespace_after)}"
            else:
                equal = ""
            # `one_line_source` drops the comma after the last argument.
            comma = "" if position == last else _comma(arg.comma)
            rendered.append(
                f"{arg.star}{_spacing(arg.whitespace_after_star)}{keyword or ''}{equal}{value.text}"
                f"{comma}{_spacing(arg.whitespace_after_arg)}"
            )
        core = (
            f"{function.text}{_spacing(node.whitespace_after_func)}({_spacing(node.whitespace_before_args)}"
            f"{''.join(rendered)})"
        )
        return Call(function, tuple(arguments), _parenthesized(node, core))

    def _display(self, node: cst.List | cst.Tuple | cst.Set, in_type: bool) -> Expr:
        if not all(isinstance(element, cst.Element) for element in node.elements):
            return Opaque(one_line_source(node))
        items = tuple(self.convert(element.value, in_type=False) for element in node.elements)
        inner = _items_source(items, [element.comma for element in node.elements])
        if isinstance(node, cst.List):
            kind = DisplayKind.LIST
            core = f"[{_spacing(node.lbracket.whitespace_after)}{inner}{_spacing(node.rbracket.whitespace_before)}]"
        elif isinstance(node, cst.Set):
            kind = DisplayKind.SET
            core = f"{{{_spacing(node.lbrace.whitespace_after)}{inner}{_spacing(node.rbrace.whitespace_before)}}}"
        else:
            kind, core = DisplayKind.TUPLE, inner  # a tuple's parentheses are its own `lpar` and `rpar`
        return Display(kind, items, _parenthesized(node, core))

    def _dict_display(self, node: cst.Dict, in_type: bool) -> Expr:
        entries: list[tuple[Expr, Expr]] = []
        rendered: list[str] = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return Opaque(one_line_source(node))
            key = self.convert(element.key, in_type=False)
            value = self.convert(element.value, in_type=False)
            entries.append((key, value))
            colon = f"{_spacing(element.whitespace_before_colon)}:{_spacing(element.whitespace_after_colon)}"
            rendered.append(f"{key.text}{colon}{value.text}{_comma(element.comma)}")
        core = (
            f"{{{_spacing(node.lbrace.whitespace_after)}{''.join(rendered)}{_spacing(node.rbrace.whitespace_before)}}}"
        )
        return DictDisplay(tuple(entries), _parenthesized(node, core))


_Converter = Callable[[SyntaxConverter, Any, bool], Expr]
_CONVERTERS: dict[type[cst.CSTNode], _Converter] = {
    cst.Name: SyntaxConverter._name,
    cst.Attribute: SyntaxConverter._attribute,
    cst.Subscript: SyntaxConverter._subscript,
    cst.SimpleString: SyntaxConverter._string,
    cst.ConcatenatedString: SyntaxConverter._string,
    cst.Integer: SyntaxConverter._number,
    cst.Float: SyntaxConverter._number,
    cst.UnaryOperation: SyntaxConverter._negative_number,
    cst.Ellipsis: SyntaxConverter._ellipsis,
    cst.BinaryOperation: SyntaxConverter._binary_operation,
    cst.Call: SyntaxConverter._call,
    cst.Lambda: SyntaxConverter._lambda,
    cst.List: SyntaxConverter._display,
    cst.Tuple: SyntaxConverter._display,
    cst.Set: SyntaxConverter._display,
    cst.Dict: SyntaxConverter._dict_display,
}


def _string_value(node: cst.SimpleString) -> str | bytes:
    literal = node.value
    quote = literal[0]
    # A plain one-line string without escapes means what sits between its quotes; `literal_eval` would
    # compile it to find that out. Unprintable characters (NUL, a lone surrogate) are left to `literal_eval`,
    # which rejects some of them.
    if quote in "'\"" and not literal.startswith(quote * 3) and "\\" not in literal and literal.isprintable():
        return literal[1:-1]
    return node.evaluated_value


def _number_value(node: cst.Integer | cst.Float) -> int | float:
    literal = node.value
    # Plain decimal integers (libcst has already rejected leading zeros) are most numbers; hex, underscores
    # and floats go to `literal_eval`.
    if isinstance(node, cst.Integer) and literal.isascii() and literal.isdigit():
        return int(literal)
    return node.evaluated_value


def _items_source(items: Sequence[Expr], commas: Sequence[cst.Comma | cst.MaybeSentinel]) -> str:
    return "".join(f"{item.text}{_comma(comma)}" for item, comma in zip(items, commas, strict=True))


def _string_source(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.ConcatenatedString):
        core = f"{_string_source(node.left)}{_spacing(node.whitespace_between)}{_string_source(node.right)}"
        return _parenthesized(node, core)
    if isinstance(node, cst.SimpleString):
        return _parenthesized(node, node.value.replace("\n", " "))  # a triple-quoted string's line breaks
    return one_line_source(node)
