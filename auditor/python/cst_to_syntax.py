"""Converting libcst expressions into `syntax` nodes, rendering each node's one-line text on the way.

The texts equal what `one_line_source` gives for the same node, but are built bottom-up in one pass:
running libcst's transformer and code generator for every node would cost more than parsing the file.
Only uncommon constructs (`Opaque` ones, lambdas, slices) fall back to `one_line_source`.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    if not isinstance(comma, cst.Comma):
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
    """Converts the expressions of one file; forward references repeat a lot, so they are parsed once."""

    def __init__(self) -> None:
        self._forward_references: dict[str, Expr | None] = {}

    def convert(self, node: cst.BaseExpression, in_type: bool) -> Expr:
        """`in_type`: the expression sits where a type may be written, so its strings are forward references."""
        if isinstance(node, cst.Name):
            return Name(node.value, _parenthesized(node, node.value))
        if isinstance(node, cst.Attribute):
            return self._attribute(node)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, in_type)
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
            return self._string(node, in_type)
        if isinstance(node, cst.Integer | cst.Float):
            return Number(node.evaluated_value, _parenthesized(node, node.value))
        if isinstance(node, cst.UnaryOperation):
            return self._negative_number(node)
        if isinstance(node, cst.Ellipsis):
            return EllipsisLiteral(_parenthesized(node, "..."))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._bit_or(node, in_type)
        if isinstance(node, cst.Call):
            return self._call(node, in_type)
        if isinstance(node, cst.Lambda):
            return Lambda(self.convert(node.body, in_type=False), one_line_source(node))
        if isinstance(node, cst.List | cst.Tuple | cst.Set):
            return self._display(node)
        if isinstance(node, cst.Dict):
            return self._dict_display(node)
        return Opaque(one_line_source(node))

    def _attribute(self, node: cst.Attribute) -> Expr:
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
        value = node.evaluated_value
        if not isinstance(value, str):  # bytes, or an f-string part
            return Opaque(one_line_source(node))
        forward = self._forward_reference(value) if in_type else None
        return String(value, forward, _string_source(node))

    def _forward_reference(self, value: str) -> Expr | None:
        if value not in self._forward_references:
            try:
                parsed: cst.BaseExpression | None = cst.parse_expression(value.strip())
            except Exception:  # any text may sit in a string; what does not parse is simply not a type
                parsed = None
            self._forward_references[value] = None if parsed is None else self.convert(parsed, in_type=True)
        return self._forward_references[value]

    def _negative_number(self, node: cst.UnaryOperation) -> Expr:
        operand = node.expression
        if not isinstance(node.operator, cst.Minus) or not isinstance(operand, cst.Integer | cst.Float):
            return Opaque(one_line_source(node))
        number = Number(operand.evaluated_value, _parenthesized(operand, operand.value))
        text = _parenthesized(node, f"-{_spacing(node.operator.whitespace_after)}{number.text}")
        return Number(-number.value, text)

    def _bit_or(self, node: cst.BinaryOperation, in_type: bool) -> Expr:
        left = self.convert(node.left, in_type)
        right = self.convert(node.right, in_type)
        operator = f"{_spacing(node.operator.whitespace_before)}|{_spacing(node.operator.whitespace_after)}"
        return BitOr(left, right, _parenthesized(node, f"{left.text}{operator}{right.text}"))

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

    def _display(self, node: cst.List | cst.Tuple | cst.Set) -> Expr:
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

    def _dict_display(self, node: cst.Dict) -> Expr:
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


def _items_source(items: Sequence[Expr], commas: Sequence[cst.Comma | cst.MaybeSentinel]) -> str:
    return "".join(f"{item.text}{_comma(comma)}" for item, comma in zip(items, commas, strict=True))


def _string_source(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.ConcatenatedString):
        core = f"{_string_source(node.left)}{_spacing(node.whitespace_between)}{_string_source(node.right)}"
        return _parenthesized(node, core)
    if isinstance(node, cst.SimpleString):
        return _parenthesized(node, node.value.replace("\n", " "))  # a triple-quoted string's line breaks
    return one_line_source(node)
