"""The SDK-pair generator: a faithful port of a generated SDK audits with no finding of its own."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from auditor.cli import app
from tests.sdkgen import (
    ModelSpec,
    PythonForm,
    ScalarKind,
    ScalarType,
    generate_spec,
    inherent_findings,
    render_elixir,
    render_python,
    write_tree,
)


def _findings(tmp_path: Path, seed: int, type_count: int, **options: object) -> tuple[list[tuple], list[tuple]]:
    spec = generate_spec(random.Random(seed), type_count, **options)  # type: ignore[arg-type]
    python_root = write_tree(tmp_path / "py", render_python(spec))
    elixir_root = write_tree(tmp_path / "ex", render_elixir(spec))
    result = CliRunner().invoke(app, [str(python_root), str(elixir_root), "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["inputs"]["python"]["types"] == report["inputs"]["elixir"]["types"] == type_count
    actual = sorted((f["rule"], f["severity"], f["type"], f["field"]) for f in report["findings"])
    expected = sorted((f.rule, f.severity, f.type, f.field) for f in inherent_findings(spec))
    return actual, expected


def test_a_faithful_port_has_no_finding(tmp_path: Path) -> None:
    actual, expected = _findings(tmp_path, seed=7, type_count=50, with_bytes=False)
    assert actual == expected == []


def test_a_faithful_port_with_aliases_and_its_own_encoders_and_decoders_has_no_finding(tmp_path: Path) -> None:
    spec = generate_spec(random.Random(5), 50, with_bytes=False, wire_keys=0.6)
    models = list(spec.models())
    assert any(f.alias for model in models for f in model.fields)
    assert any(model.encoder_function for model in models) and any(model.decoder_function for model in models)
    # pydantic's to_camel generator and plain classes whose `__init__` stores the fields are drawn too.
    assert {model.python_form for model in models} == set(PythonForm)
    actual, expected = _findings(tmp_path, seed=5, type_count=50, with_bytes=False, wire_keys=0.6)
    assert actual == expected == []


def test_a_faithful_port_with_bytes_fields_has_only_the_inherent_info_findings(tmp_path: Path) -> None:
    actual, expected = _findings(tmp_path, seed=11, type_count=50)
    assert expected, "the spec should have bytes fields"
    assert actual == expected


def test_generation_is_deterministic_and_covers_every_shape() -> None:
    spec = generate_spec(random.Random(3), 200)
    assert render_python(spec) == render_python(generate_spec(random.Random(3), 200))
    assert render_elixir(spec) == render_elixir(generate_spec(random.Random(3), 200))
    models = list(spec.models())
    assert any(model.base for model in models)
    assert any(model.nested_in for model in models)
    scalars = {f.type.kind for m in models for f in m.fields if isinstance(f.type, ScalarType)}
    assert scalars >= {ScalarKind.STR, ScalarKind.INT, ScalarKind.FLOAT, ScalarKind.BOOL, ScalarKind.DATETIME}
    assert all(isinstance(t, ModelSpec) or t.name for t in spec.types)
