"""The libcst half of phase one: turns one parsed file into its `PythonFileSummary`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import libcst as cst
from libcst.helpers import get_full_name_for_node

from auditor.python.cst_to_syntax import SyntaxConverter
from auditor.python.lines import INIT, LineOf, statement_lines
from auditor.python.parsing import ParsedFile, parse_source, parse_text
from auditor.python.splitting import SourcePart
from auditor.python.summary import (
    Assignment,
    ClassAssignment,
    ClassDefinition,
    FieldDeclaration,
    FileBinding,
    ImportSource,
    InitAttribute,
    InitMethod,
    InitParameter,
    ModuleImport,
    NameImport,
    OpaqueBinding,
    PythonFileSummary,
    UnreadableDefinition,
)


def summarize_source(path: str, data: bytes) -> PythonFileSummary:
    return _summarize_parsed(path, parse_source(path, data))


def summarize_part(path: str, part: SourcePart) -> PythonFileSummary:
    """The summary of one part of a split file, its lines counted as in the whole file."""
    return _summarize_parsed(path, parse_text(path, part.text), part.first_line)


def _summarize_parsed(path: str, parsed: ParsedFile, first_line: int = 1) -> PythonFileSummary:
    if parsed.tree is None:
        return PythonFileSummary(path, problem=parsed.problem)
    line_of = statement_lines(parsed.tree, parsed.logical_lines, parsed.stdlib_tree, first_line)
    return _Summarizer(line_of).summarize(path, parsed.tree)


_Statement = TypeVar("_Statement", bound=cst.CSTNode)
def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    # By hand: importing libcst.matchers for its `findall` costs more than parsing a small checkout.
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


_NORMALISING_CALLS = frozenset({"list", "dict", "tuple", "set", "frozenset", "str", "int", "float", "bool"})


class _Summarizer:
    """Records the first binding of each top-level name, looking into `if`/`try`/`with` blocks too.

    The first binding wins (unlike at runtime) so that `if TYPE_CHECKING:` imports, which come first in
    practice, beat their runtime fallbacks.
    """

    def __init__(self, line_of: LineOf) -> None:
        self.line_of = line_of
        self.converter = SyntaxConverter()
        self.bindings: dict[str, FileBinding] = {}
        self.star_imports: list[ImportSource] = []
        self.declared_all: tuple[str, ...] | None = None
        # The value expressions of the attributes `__init__` sets, by (attribute, line).
        self._init_values: dict[tuple[str, int], cst.BaseExpression] = {}

    def summarize(self, path: str, tree: cst.Module) -> PythonFileSummary:
        self._statements(tree.body)
        return PythonFileSummary(path, tuple(self.bindings.items()), tuple(self.star_imports), self.declared_all)

    def _statements(self, statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> None:
        for statement in statements:
            self._statement(statement)

    def _statement(self, statement: cst.CSTNode) -> None:
        # One lookup by exact type (the parser builds no subclasses): a chain of isinstance checks against
        # libcst's ABC-based classes would cost a few microseconds per statement.
        summarize = _STATEMENT_SUMMARIZERS.get(type(statement))
        if summarize is not None:
            summarize(self, statement)

    def _simple_statement_line(self, statement: cst.SimpleStatementLine) -> None:
        self._statements(statement.body)

    def _class_definition(self, statement: cst.ClassDef) -> None:
        if statement.name.value not in self.bindings:
            self.bindings[statement.name.value] = self._guarded(statement, self._class)

    def _function(self, statement: cst.FunctionDef) -> None:
        self.bindings.setdefault(statement.name.value, OpaqueBinding())

    def _if(self, statement: cst.If) -> None:
        self._block(statement.body)
        if statement.orelse is not None:
            self._statement(statement.orelse)

    def _else(self, statement: cst.Else) -> None:
        self._block(statement.body)

    def _try(self, statement: cst.Try | cst.TryStar) -> None:
        self._block(statement.body)
        for handler in statement.handlers:
            self._block(handler.body)
        if statement.orelse is not None:
            self._block(statement.orelse.body)
        if statement.finalbody is not None:
            self._block(statement.finalbody.body)

    def _with(self, statement: cst.With) -> None:
        self._block(statement.body)

    def _block(self, block: cst.BaseSuite) -> None:
        if isinstance(block, cst.IndentedBlock | cst.SimpleStatementSuite):
            self._statements(block.body)

    def _import(self, statement: cst.Import) -> None:
        for alias in statement.names:
            dotted = get_full_name_for_node(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bindings.setdefault(alias.asname.name.value, ModuleImport(dotted))
            else:
                # `import a.b.c` binds only `a`; the rest is reached through attributes.
                top = dotted.split(".", 1)[0]
                self.bindings.setdefault(top, ModuleImport(top))

    def _import_from(self, statement: cst.ImportFrom) -> None:
        written = get_full_name_for_node(statement.module) if statement.module is not None else None
        level = len(statement.relative)
        if type(statement.names) is cst.ImportStar:
            self.star_imports.append(ImportSource(level, written))
            return
        if level == 0 and written == "__future__":
            return
        source = ImportSource(level, written)
        for alias in statement.names:
            imported = get_full_name_for_node(alias.name)
            if imported is None:
                continue
            bound = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            if bound not in self.bindings:
                self.bindings[bound] = NameImport(source, imported)

    def _assignment(self, statement: cst.Assign | cst.AnnAssign | cst.TypeAlias) -> None:
        if isinstance(statement, cst.TypeAlias):
            if statement.name.value not in self.bindings:
                self.bindings[statement.name.value] = self._guarded(statement, self._type_statement)
            return
        targets = [statement.target] if isinstance(statement, cst.AnnAssign) else [t.target for t in statement.targets]
        binding: FileBinding | None = None
        for target in targets:
            if not isinstance(target, cst.Name):
                continue
            if target.value == "__all__":
                self._record_all(statement.value)
            if target.value not in self.bindings:
                # Chained targets (`A = B = value`) share one binding.
                binding = binding or self._guarded(statement, self._module_assignment)
                self.bindings[target.value] = binding

    def _type_statement(self, statement: cst.TypeAlias) -> Assignment:
        value = self.converter.convert(statement.value, in_type=True)
        return Assignment(self.line_of(statement), value, None, type_statement=True)

    def _module_assignment(self, statement: cst.Assign | cst.AnnAssign) -> Assignment:
        convert = self.converter.convert
        value = convert(statement.value, in_type=True) if statement.value is not None else None
        annotation = convert(statement.annotation.annotation, True) if isinstance(statement, cst.AnnAssign) else None
        return Assignment(self.line_of(statement), value, annotation)

    def _record_all(self, value: cst.BaseExpression | None) -> None:
        if self.declared_all is not None or not isinstance(value, cst.List | cst.Tuple):
            return
        names: list[str] = []
        for element in value.elements:
            if isinstance(element.value, cst.SimpleString) and isinstance(element.value.evaluated_value, str):
                names.append(element.value.evaluated_value)
        self.declared_all = tuple(names)

    def _guarded(self, statement: _Statement, summarize: Callable[[_Statement], FileBinding]) -> FileBinding:
        try:
            return summarize(statement)
        except Exception as error:  # one construct this tool chokes on must not cost the rest of the file
            return UnreadableDefinition(self.line_of(statement), f"{type(error).__name__}: {error}")

    def _class(self, statement: cst.ClassDef) -> ClassDefinition:
        convert = self.converter.convert
        fields: list[FieldDeclaration] = []
        assignments: list[ClassAssignment] = []
        self._class_body(statement.body, fields, assignments)
        body = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ()
        functions = [function for function in body if isinstance(function, cst.FunctionDef)]
        return ClassDefinition(
            line=self.line_of(statement),
            bases=tuple(convert(base.value, in_type=False) for base in statement.bases if base.keyword is None),
            keywords=tuple(
                (argument.keyword.value, convert(argument.value, in_type=False))
                for argument in statement.keywords
                if argument.keyword is not None
            ),
            decorators=tuple(convert(decorator.decorator, in_type=False) for decorator in statement.decorators),
            fields=tuple(fields),
            assignments=tuple(assignments),
            methods=tuple(function.name.value for function in functions),
            init=next((self._init(function) for function in functions if function.name.value == INIT), None),
        )

    def _init(self, function: cst.FunctionDef) -> InitMethod:
        convert = self.converter.convert
        line = self.line_of(function)
        named = [*function.params.posonly_params, *function.params.params][1:] + list(function.params.kwonly_params)
        parameters = tuple(
            InitParameter(
                parameter.name.value,
                convert(parameter.annotation.annotation, True) if parameter.annotation is not None else None,
                convert(parameter.default, False) if parameter.default is not None else None,
                line,
            )
            for parameter in named
        )
        attributes: list[InitAttribute] = []
        only_stores = self._init_block(function.body, attributes)
        # `self.extra = kwargs` stores an argument too, though not a named one.
        names = {parameter.name for parameter in parameters} | {
            star.name.value
            for star in (function.params.star_arg, function.params.star_kwarg)
            if isinstance(star, cst.Param)
        }
        attributes = [
            replace(attribute, parameter=self._stored_parameter(attribute, names)) for attribute in attributes
        ]
        return InitMethod(line, parameters, tuple(attributes), only_stores)

    def _stored_parameter(self, attribute: InitAttribute, parameters: set[str]) -> str | None:
        node = self._init_values.get((attribute.name, attribute.line))
        if node is None:
            return None
        # A stored value is the argument, normalised at most (`tags or []`, `list(tags)`); an attribute
        # or another call (`wrap(client.fetch)`) computes something else from it.
        nodes = list(_walk(node))
        if any(
            isinstance(each, cst.Attribute)
            or (
                isinstance(each, cst.Call)
                and not (isinstance(each.func, cst.Name) and each.func.value in _NORMALISING_CALLS)
            )
            for each in nodes
        ):
            return None
        mentioned = {each.value for each in nodes if isinstance(each, cst.Name)} & parameters
        return mentioned.pop() if len(mentioned) == 1 else None

    def _init_block(self, block: cst.BaseSuite, attributes: list[InitAttribute]) -> bool:
        """Collects the `self.x` attributes a block of `__init__` sets; whether it does nothing else
        than store values (in attributes or locals), call the base's `__init__` and branch on them."""
        if not isinstance(block, cst.IndentedBlock):
            return False
        only_stores = True
        for statement in block.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    only_stores = self._init_statement(small, attributes) and only_stores
            elif isinstance(statement, cst.If):
                branch: cst.If | cst.Else | None = statement
                while isinstance(branch, cst.If):
                    only_stores = self._init_block(branch.body, attributes) and only_stores
                    branch = branch.orelse
                if branch is not None:
                    only_stores = self._init_block(branch.body, attributes) and only_stores
            else:
                only_stores = False
        return only_stores

    def _init_statement(self, statement: cst.BaseSmallStatement, attributes: list[InitAttribute]) -> bool:
        convert = self.converter.convert
        if isinstance(statement, cst.AnnAssign | cst.Assign):
            annotated = isinstance(statement, cst.AnnAssign)
            targets = [statement.target] if annotated else [each.target for each in statement.targets]
            for target in targets:
                if (
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and target.value.value == "self"
                ):
                    annotation = convert(statement.annotation.annotation, True) if annotated else None
                    value = convert(statement.value, False) if statement.value is not None else None
                    line = self.line_of(statement)
                    attributes.append(InitAttribute(target.attr.value, annotation, value, line))
                    if statement.value is not None:
                        self._init_values[(target.attr.value, line)] = statement.value
                elif not isinstance(target, cst.Name):
                    return False
            return True
        if isinstance(statement, cst.Expr):
            value = statement.value
            if isinstance(value, cst.SimpleString | cst.ConcatenatedString):
                return True  # the docstring
            return (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Attribute)
                and value.func.attr.value == INIT
            )
        return isinstance(statement, cst.Pass)

    def _class_body(
        self, body: cst.BaseSuite, fields: list[FieldDeclaration], assignments: list[ClassAssignment] | None
    ) -> None:
        """Collects annotated fields, also inside `if` blocks (`if PYDANTIC_V2:`), and, when `assignments`
        is given, the assignments of the indented body itself (enum members are never nested)."""
        if isinstance(body, cst.SimpleStatementSuite):
            for small in body.body:
                self._class_statement(small, fields, None)
        elif isinstance(body, cst.IndentedBlock):
            for statement in body.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        self._class_statement(small, fields, assignments)
                elif isinstance(statement, cst.If):
                    self._if_chain(statement, fields)

    def _if_chain(self, statement: cst.If, fields: list[FieldDeclaration]) -> None:
        self._class_body(statement.body, fields, None)
        if isinstance(statement.orelse, cst.If):
            self._if_chain(statement.orelse, fields)
        elif isinstance(statement.orelse, cst.Else):
            self._class_body(statement.orelse.body, fields, None)

    def _class_statement(
        self,
        statement: cst.BaseSmallStatement,
        fields: list[FieldDeclaration],
        assignments: list[ClassAssignment] | None,
    ) -> None:
        convert = self.converter.convert
        if type(statement) is cst.AnnAssign and type(statement.target) is cst.Name:
            name, line = statement.target.value, self.line_of(statement)
            value = convert(statement.value, False) if statement.value is not None else None
            fields.append(FieldDeclaration(name, convert(statement.annotation.annotation, True), value, line))
            if assignments is not None and value is not None:
                assignments.append(ClassAssignment(name, value, line))
        elif (
            type(statement) is cst.Assign
            and assignments is not None
            and len(statement.targets) == 1
            and type(statement.targets[0].target) is cst.Name
        ):
            value = convert(statement.value, False)
            assignments.append(ClassAssignment(statement.targets[0].target.value, value, self.line_of(statement)))

_STATEMENT_SUMMARIZERS: dict[type[cst.CSTNode], Callable[[_Summarizer, Any], None]] = {
    cst.SimpleStatementLine: _Summarizer._simple_statement_line,
    cst.ClassDef: _Summarizer._class_definition,
    cst.FunctionDef: _Summarizer._function,
    cst.If: _Summarizer._if,
    cst.Else: _Summarizer._else,
    cst.Try: _Summarizer._try,
    cst.TryStar: _Summarizer._try,
    cst.With: _Summarizer._with,
    cst.Import: _Summarizer._import,
    cst.ImportFrom: _Summarizer._import_from,
    cst.Assign: _Summarizer._assignment,
    cst.AnnAssign: _Summarizer._assignment,
    cst.TypeAlias: _Summarizer._assignment,
}
