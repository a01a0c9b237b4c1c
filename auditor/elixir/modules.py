"""Walking one parsed file: finding modules and turning their declarations into `TypeDef`s.

Module-level types (structs, enum modules, a non-struct `@type t`) take the module's qualname and
the `defmodule` line; every other `@type`/`@typep`/`@opaque` becomes `Module.type_name` at its own
line. A struct's `t` and a module's `t` are never emitted a second time as `Module.t`, because
`t()` references lower to `Ref(Module)`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import NamedTuple

from tree_sitter import Node

from auditor.elixir.converters import read_value_tables
from auditor.elixir.scope import Scope, aliases_declared, written_module_name
from auditor.elixir.sites import (
    EnumSite,
    ListSite,
    StructSite,
    bracketed_list,
    indentation,
    map_entries,
    statement_list,
)
from auditor.elixir.structs import (
    DerivedEncoder,
    EncoderImpl,
    StructKey,
    TypedStructBlock,
    defstruct_keys,
    derived_json_encoder,
    derived_json_encoder_options,
    encoder_impl_targets,
    enforced_key_names,
    typedstruct_block,
)
from auditor.elixir.syntax import (
    atom_list,
    attribute_named,
    binary_parts,
    block_statements,
    call_arguments,
    call_name,
    clean_text,
    do_block,
    keyword_pairs,
    line_of,
    module_attribute,
    node_text,
    significant_children,
    trailing_options,
)
from auditor.elixir.typespec import (
    TypeContext,
    TypespecTooDeep,
    lower_typespec,
    struct_name_of,
)
from auditor.elixir.wire import read_wire_functions
from auditor.model import (
    NONE,
    AtomSet,
    CatchAll,
    Diagnostic,
    Field,
    LiteralOf,
    Location,
    TypeDef,
    TypeExpr,
    TypeKind,
    UnionOf,
    Unknown,
    simple_name,
    split_none,
    union_of,
)

_TYPE_ATTRIBUTES = ("type", "typep", "opaque")

# Calls whose bodies never declare a type of the API, so the walk does not descend into them: function
# bodies (most of a module's code), and `quote`, whose code belongs to whatever module a macro later
# expands into. Module attributes (`@doc`, `@spec`, ...) and data literals are skipped for the same reason.
_OPAQUE_NODES = frozenset(
    {
        "unary_operator",
        "binary_operator",
        "list",
        "map",
        "tuple",
        "keywords",
        "pair",
        "string",
        "charlist",
        "sigil",
        "bitstring",
        "integer",
        "float",
        "atom",
        "quoted_atom",
        "alias",
        "identifier",
        "dot",
        "boolean",
        "nil",
    }
)
_DECLARATION_WORD = re.compile(rb"defmodule|defimpl")
_OPAQUE_CALLS = frozenset(
    {"quote", "def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate", "defn", "defnp"}
)


class LocalType(NamedTuple):
    """One `@type name(params) :: body` declaration."""

    name: str
    public: bool
    parameters: frozenset[str]
    body: Node
    line: int


class FieldSpec(NamedTuple):
    """The typespec a struct's `@type t` gives one key."""

    node: Node
    line: int


@dataclass
class FileExtraction:
    types: list[TypeDef] = field(default_factory=list)
    encoders: list[EncoderImpl] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class FileWalker:
    """Extracts the types of one file; modules containing a syntax error are skipped."""

    def __init__(self, path: str, source: bytes, read_sites: bool = False) -> None:
        self.path = path
        self.source = source
        self.result = FileExtraction()
        self.sites: list[StructSite | EnumSite] | None = [] if read_sites else None
        """With `read_sites`, where each struct and enum module of the file can grow (see `sites`)."""
        # Where the words `defmodule` and `defimpl` start: a subtree spanning none of them cannot hold
        # a call the walk acts on, so it is skipped without visiting its nodes.
        self.declaration_offsets = [match.start() for match in _DECLARATION_WORD.finditer(source)]

    def walk_file(self, root: Node) -> FileExtraction:
        statements = significant_children(root)
        file_scope = Scope(None, aliases_declared(statements, Scope()))
        self._walk(statements, file_scope)
        return self.result

    def _walk(self, nodes: list[Node], scope: Scope) -> None:
        # Depth-first in document order with an explicit stack: code nested hundreds of levels deep
        # (a long pipeline, a big literal) must not overflow the interpreter's stack.
        pending = [(node, scope) for node in reversed(nodes)]
        offsets = self.declaration_offsets
        while pending:
            node, node_scope = pending.pop()
            first_inside = bisect_left(offsets, node.start_byte)
            if first_inside == len(offsets) or offsets[first_inside] >= node.end_byte:
                continue
            if node.is_error:
                # What sits inside an ERROR node is the parser's guess; nothing there is trusted.
                continue
            name = call_name(node)
            if name == "defmodule":
                inside = self._module(node, node_scope)
                if inside is not None:
                    statements, module_scope = inside
                    pending.extend((statement, module_scope) for statement in reversed(statements))
            elif name == "defimpl":
                if not node.has_error:
                    self.result.encoders.extend(encoder_impl_targets(node, node_scope))
            elif name not in _OPAQUE_CALLS and node.type not in _OPAQUE_NODES:
                pending.extend((child, node_scope) for child in reversed(significant_children(node)))

    def _module(self, node: Node, scope: Scope) -> tuple[list[Node], Scope] | None:
        """Reads one module's own declarations; returns its statements and scope for the walk."""
        arguments = call_arguments(node)
        written = written_module_name(arguments[0]) if arguments else None
        block = do_block(node)
        if written is None or block is None:
            return None
        full_name = _full_module_name(written, scope)
        statements = block_statements(block)
        own_aliases = aliases_declared(statements, Scope(full_name, scope.aliases))
        module_scope = scope.nested(full_name, own_aliases)
        if not node.has_error:
            reader = ModuleReader(self.path, full_name, line_of(node), statements, module_scope)
            if self._read_module(reader) and self.sites is not None:
                self.sites.extend(reader.sites(self.source))
        return statements, module_scope

    def _read_module(self, reader: ModuleReader) -> bool:
        """Reads one module into the result; False when it was skipped."""
        # All or nothing per module: a declaration too deep to read skips its module, not the file.
        extraction = FileExtraction()
        try:
            reader.read_into(extraction)
        except TypespecTooDeep as error:
            message = f"{error} in {reader.name}; module skipped"
            self.result.diagnostics.append(Diagnostic(self.path, error.line, "error", message))
            return False
        self.result.types.extend(extraction.types)
        self.result.encoders.extend(extraction.encoders)
        self.result.diagnostics.extend(extraction.diagnostics)
        return True


def _full_module_name(written: str, scope: Scope) -> str:
    if written.startswith(("__MODULE__", "Elixir.")) or scope.module is None:
        return scope.resolve(written)
    return f"{scope.module}.{written}"


class ModuleReader:
    """Reads the declarations directly inside one module body."""

    def __init__(self, path: str, name: str, line: int, statements: list[Node], scope: Scope) -> None:
        self.path = path
        self.name = name
        self.line = line
        self.scope = scope
        # One pass sorts out the statements every later step asks about.
        self.local_types: dict[str, LocalType] = {}
        self.defstruct_call: Node | None = None
        self.typedstruct_calls: list[Node] = []
        self.derive_arguments: list[list[Node]] = []
        self.enforce_keys_arguments: list[list[Node]] = []
        self.value_tables = read_value_tables(statements)
        self.wire = read_wire_functions(statements, path)
        for statement in statements:
            kind = statement.type
            if kind == "call":
                name = call_name(statement)
                if name == "defstruct" and self.defstruct_call is None:
                    self.defstruct_call = statement
                elif name == "typedstruct":
                    self.typedstruct_calls.append(statement)
            elif kind == "unary_operator" and (attribute := module_attribute(statement)) is not None:
                attribute_name, arguments = attribute
                if attribute_name in _TYPE_ATTRIBUTES:
                    self._add_local_type(attribute_name, arguments, line_of(statement))
                elif attribute_name == "derive":
                    self.derive_arguments.append(arguments)
                elif attribute_name == "enforce_keys":
                    self.enforce_keys_arguments.append(arguments)
        # An inline `typedstruct` declares `t` itself, so `t()` in the module means this struct.
        declared_t = {"t"} if self.typedstruct_calls else set()
        self.context = TypeContext(scope, frozenset(self.local_types) | declared_t)

    def _add_local_type(self, attribute_name: str, arguments: list[Node], line: int) -> None:
        # The first declaration wins when arities overload a name.
        if len(arguments) != 1:
            return
        declared = _split_type_declaration(arguments[0])
        if declared is None:
            return
        name, parameters, body = declared
        if name not in self.local_types:
            self.local_types[name] = LocalType(name, attribute_name == "type", parameters, body, line)

    def read_into(self, result: FileExtraction) -> None:
        typed_blocks = [typedstruct_block(node, self.scope) for node in self.typedstruct_calls]
        inline_block = next((block for block in typed_blocks if block.submodule is None), None)
        own_type = self.local_types.get("t")

        if self.defstruct_call is not None:
            result.types.append(self._defstruct_type(self.defstruct_call, own_type, self._module_derive(), result))
        elif inline_block is not None:
            result.types.append(self._typedstruct_type(inline_block, self.name, self.line, self._module_derive()))
        elif own_type is not None and (specs := self._struct_field_specs(own_type)) is not None:
            result.types.append(self._typespec_only_struct(specs, self._module_derive()))
        elif own_type is not None:
            result.types.append(self._module_alias(own_type))

        for block in typed_blocks:
            if block.submodule is not None:
                result.types.append(self._submodule_struct(block))

        for local in self.local_types.values():
            if local.name != "t":
                result.types.append(self._local_type_def(local))

        if self.wire.unread and (self.defstruct_call is not None or inline_block is not None):
            line = self.wire.unread[0][1]
            names = ", ".join(f"{name}/1" for name, _ in self.wire.unread)
            verb = "builds or reads" if len(self.wire.unread) == 1 else "build or read"
            result.diagnostics.append(
                Diagnostic(
                    self.path,
                    line,
                    "info",
                    f"{self.name}: {names} {verb} the wire map in a way parity-audit does not read; "
                    "the keys they use are not judged",
                )
            )

    def sites(self, source: bytes) -> list[StructSite | EnumSite]:
        """Where this module's struct can grow, or its atom enum's converters; see `auditor.elixir.sites`."""
        own_type = self.local_types.get("t")
        inline = [call for call in self.typedstruct_calls if typedstruct_block(call, self.scope).submodule is None]
        if self.defstruct_call is not None:
            return [self._defstruct_site(self.defstruct_call, own_type, source)]
        if inline:
            return [self._typedstruct_site(inline[0], source)]
        if own_type is not None and isinstance(self._lower_local(own_type), AtomSet):
            tables = self.value_tables
            return [EnumSite(self.name, next(iter(tables.encoders), None), next(iter(tables.decoders), None))]
        return []

    def _defstruct_site(self, call: Node, own_type: LocalType | None, source: bytes) -> StructSite:
        arguments = call_arguments(call)
        keys: ListSite | None = None
        keys_are_keywords = False
        if len(arguments) == 1 and defstruct_keys(call, self.scope) is not None:
            keys = bracketed_list(arguments[0], source)
            items = significant_children(arguments[0])
            keys_are_keywords = arguments[0].type == "keywords" or any(item.type == "keywords" for item in items)
        enforce_keys = next(
            (
                bracketed_list(arguments[0], source)
                for arguments in self.enforce_keys_arguments
                if len(arguments) == 1 and arguments[0].type == "list" and atom_list(arguments[0]) is not None
            ),
            None,
        )
        struct_typespec = own_type is not None and struct_name_of(own_type.body, self.scope) == self.name
        derive_options = self._derive_options(self.derive_arguments)
        return StructSite(
            module=self.name,
            typed_struct=False,
            derives_json_encoder=derive_options is not None,
            statement_start=call.start_byte,
            indent=indentation(source, call),
            keys=keys,
            keys_are_keywords=keys_are_keywords,
            enforce_keys=enforce_keys,
            enforce_keys_written=bool(self.enforce_keys_arguments),
            typespec=map_entries(own_type.body, source) if own_type is not None and struct_typespec else None,
            typespec_written=own_type is not None,
            derive_only=self._only_list(derive_options, source),
        )

    def _typedstruct_site(self, call: Node, source: bytes) -> StructSite:
        block = do_block(call)
        statements = block_statements(block)
        block_derives = [arguments for s in statements if (arguments := _derive_arguments(s)) is not None]
        derive_options = self._derive_options(block_derives) or self._derive_options(self.derive_arguments)
        enforce = trailing_options(call_arguments(call)).get("enforce")
        return StructSite(
            module=self.name,
            typed_struct=True,
            derives_json_encoder=derive_options is not None,
            statement_start=call.start_byte,
            indent=indentation(source, call),
            typed_fields=statement_list(block, statements, source) if block is not None else None,
            enforced_by_default=enforce is not None and node_text(enforce) == "true",
            derive_only=self._only_list(derive_options, source),
        )

    def _derive_options(self, derives: list[list[Node]]) -> dict[str, Node] | None:
        for arguments in derives:
            if (options := derived_json_encoder_options(arguments, self.scope)) is not None:
                return options
        return None

    @staticmethod
    def _only_list(options: dict[str, Node] | None, source: bytes) -> ListSite | None:
        only = (options or {}).get("only")
        if only is None or only.type != "list" or atom_list(only) is None:
            return None
        return bracketed_list(only, source)

    def _module_derive(self) -> DerivedEncoder | None:
        for arguments in self.derive_arguments:
            if (derived := derived_json_encoder(arguments, self.scope)) is not None:
                return derived
        return None

    def _location(self, line: int) -> Location:
        return Location(self.path, line)

    def _enforced_keys(self) -> set[str]:
        enforced: set[str] = set()
        for arguments in self.enforce_keys_arguments:
            enforced.update(enforced_key_names(arguments))
        return enforced

    def _struct_field_specs(self, own_type: LocalType) -> dict[str, FieldSpec] | None:
        """Key -> typespec for `@type t :: %__MODULE__{...}`; None when `t` is not this struct."""
        if struct_name_of(own_type.body, self.scope) != self.name:
            return None
        specs: dict[str, FieldSpec] = {}
        # `:key => type` entries are legal in struct typespecs too; a `key: type` entry wins over them.
        arrow_entries: list[tuple[Node, Node]] = []
        for child in own_type.body.named_children:
            if child.type != "map_content":
                continue
            for item in significant_children(child):
                if item.type == "keywords":
                    for name, key, value in keyword_pairs(item):
                        specs.setdefault(name, FieldSpec(value, line_of(key)))
                elif (parts := binary_parts(item)) is not None and parts[1] == "=>" and parts[0].type == "atom":
                    arrow_entries.append((parts[0], parts[2]))
        for key, value in arrow_entries:
            specs.setdefault(node_text(key).removeprefix(":"), FieldSpec(value, line_of(key)))
        return specs

    def _defstruct_type(
        self, call: Node, own_type: LocalType | None, derived: DerivedEncoder | None, result: FileExtraction
    ) -> TypeDef:
        specs = (self._struct_field_specs(own_type) if own_type is not None else None) or {}
        keys = defstruct_keys(call, self.scope)
        if keys is None:
            result.diagnostics.append(
                Diagnostic(
                    self.path,
                    line_of(call),
                    "warning",
                    f"{self.name}: defstruct argument is not a literal list; fields taken from @type t",
                )
            )
            keys = [StructKey(name, spec.line, None) for name, spec in specs.items()]
        enforced = self._enforced_keys()
        fields = tuple(self._struct_field(key, specs.get(key.name), key.name in enforced) for key in keys)
        return self._struct_def(self.name, self.line, fields, derived)

    def _struct_field(self, key: StructKey, spec: FieldSpec | None, required: bool) -> Field:
        if spec is None:
            return Field(key.name, Unknown(""), required, False, key.default, self._location(key.line), "")
        field_type, nullable = split_none(lower_typespec(spec.node, self.context))
        return Field(
            key.name,
            field_type,
            required,
            nullable,
            key.default,
            self._location(key.line),
            clean_text(spec.node),
            typespec_line=spec.line if spec.line != key.line else None,
        )

    def _typespec_only_struct(self, specs: dict[str, FieldSpec], derived: DerivedEncoder | None) -> TypeDef:
        fields = tuple(
            self._struct_field(StructKey(name, spec.line, None), spec, False) for name, spec in specs.items()
        )
        return self._struct_def(self.name, self.line, fields, derived)

    def _struct_def(self, name: str, line: int, fields: tuple[Field, ...], derived: DerivedEncoder | None) -> TypeDef:
        wire_fields = derived.wire_fields([item.name for item in fields]) if derived is not None else None
        own = name == self.name  # a TypedStruct `module:` block is another module, without these functions
        return TypeDef(
            qualname=name,
            name=simple_name(name),
            kind=TypeKind.STRUCT,
            location=self._location(line),
            fields=fields,
            module=name,
            wire_fields=wire_fields,
            encoder=self.wire.encoder if own else None,
            decoder=self.wire.decoder if own else None,
        )

    def _typedstruct_type(
        self, block: TypedStructBlock, name: str, line: int, derived: DerivedEncoder | None
    ) -> TypeDef:
        context = self.context
        if name != self.name:
            # The `module:` form wraps the block in its own defmodule: only its generated `t` is local.
            context = TypeContext(self.scope.nested(name, {}), frozenset({"t"}))
        fields: list[Field] = []
        for typed in block.fields:
            if typed.type_node is None:
                written: TypeExpr = Unknown("")
                annotation = ""
            else:
                written = lower_typespec(typed.type_node, context)
                annotation = clean_text(typed.type_node)
            field_type, nullable = split_none(union_of([written, NONE]) if typed.nil_added else written)
            fields.append(
                Field(
                    typed.name,
                    field_type,
                    typed.enforced,
                    nullable,
                    typed.default,
                    self._location(typed.line),
                    annotation,
                )
            )
        block_derive = _first_derived(block.statements, self.scope)
        return self._struct_def(name, line, tuple(fields), block_derive or derived)

    def _submodule_struct(self, block: TypedStructBlock) -> TypeDef:
        assert block.submodule is not None
        name = _full_module_name(block.submodule, self.scope)
        return self._typedstruct_type(block, name, block.line, None)

    def _module_alias(self, own_type: LocalType) -> TypeDef:
        target = self._lower_local(own_type)
        if isinstance(target, AtomSet | LiteralOf):
            kind = TypeKind.ENUM
        elif isinstance(target, UnionOf):
            kind = TypeKind.UNION
        else:
            kind = TypeKind.SCALAR_ALIAS
        return TypeDef(
            qualname=self.name,
            name=simple_name(self.name),
            kind=kind,
            location=self._location(self.line),
            target=self._wire_form(target),
            module=self.name,
            public=own_type.public,
            catch_all=self._catch_all(target),
        )

    def _local_type_def(self, local: LocalType) -> TypeDef:
        target = self._lower_local(local)
        kind = TypeKind.UNION if isinstance(target, UnionOf | AtomSet | LiteralOf) else TypeKind.SCALAR_ALIAS
        return TypeDef(
            qualname=f"{self.name}.{local.name}",
            name=local.name,
            kind=kind,
            location=self._location(local.line),
            target=self._wire_form(target),
            module=self.name,
            public=local.public,
            catch_all=self._catch_all(target),
        )

    def _wire_form(self, target: TypeExpr) -> TypeExpr:
        return self.value_tables.wire_form(target) if isinstance(target, AtomSet) else target

    def _catch_all(self, target: TypeExpr) -> CatchAll | None:
        return self.value_tables.catch_all(target, self.path) if isinstance(target, AtomSet) else None

    def _lower_local(self, local: LocalType) -> TypeExpr:
        return lower_typespec(local.body, self.context.with_variables(local.parameters))


def _derive_arguments(statement: Node) -> list[Node] | None:
    attribute = attribute_named(statement, "derive")
    return attribute[1] if attribute is not None else None


def _first_derived(statements: tuple[Node, ...], scope: Scope) -> DerivedEncoder | None:
    for statement in statements:
        attribute = attribute_named(statement, "derive")
        if attribute is not None and (derived := derived_json_encoder(attribute[1], scope)) is not None:
            return derived
    return None


def _split_type_declaration(node: Node) -> tuple[str, frozenset[str], Node] | None:
    """`name(a, b) :: body` -> (name, {a, b}, body)."""
    if node.type != "binary_operator":
        return None
    head = node.child_by_field_name("left")
    operator = node.child_by_field_name("operator")
    body = node.child_by_field_name("right")
    if head is None or operator is None or body is None or operator.type != "::":
        return None
    if head.type == "identifier":
        return node_text(head), frozenset(), body
    name = call_name(head)
    if name is None:
        return None
    parameters = frozenset(node_text(arg) for arg in call_arguments(head) if arg.type == "identifier")
    return name, parameters, body
