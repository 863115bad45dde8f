"""One source of truth for options: the CLI's flags, the service's JSON model and form, and
the batch fingerprint are all made from converter.options.Options."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from converter import cli, options
from converter.options import Options
from converter.service.app import JobRequest


def offered() -> list[tuple[str, options.Setting]]:
    return [(field.name, setting) for field, setting in options.settings()]


def test_every_setting_is_a_cli_flag_with_its_default() -> None:
    command = cli.main.commands["to"]
    by_name = {param.name: param for param in command.params}
    for name, setting in offered():
        param = by_name[name]
        assert setting.flag in param.opts, name  # type: ignore[attr-defined]
        assert set(setting.aliases) <= set(param.opts), name  # type: ignore[attr-defined]
        default = Options.__dataclass_fields__[name].default
        if default is not None and not isinstance(default, bool):
            assert param.default == default, name
        assert getattr(param, "is_flag", False) == isinstance(default, bool), name


def test_the_service_model_has_every_service_option_and_no_other() -> None:
    # send_as_is is the request's own choice (stop for a structure review or not), no option.
    fields = set(JobRequest.model_fields) - {"report", "upload", "formats", "send_as_is"}
    assert fields == {name for name, setting in offered() if setting.service}
    # The ones the service used to drop are there.
    assert {"margin_mm", "braille_cells", "braille_lines", "line_spacing"} <= fields
    assert not {"reference_docx", "check", "trace", "max_input_bytes", "fixes"} & fields


def test_fingerprint_has_every_field_that_changes_an_output() -> None:
    changed = {
        "profile": "large-24",
        "font_size": 20.0,
        "line_spacing": 1.5,
        "margin_mm": 20.0,
        "colours": "black-on-cream",
        "paper": "A3",
        "braille_grade": 1,
        "braille_cells": 32,
        "braille_lines": 20,
        "duplex": True,
        "pdf_standard": "ua-2",
        "summary": True,
        "easy_read": True,
        "trace": True,
        "sources_list": True,
        "reference_docx": Path("ref.docx"),
        "fixes": Path("report.fixes.json"),
        "max_input_bytes": 1024,
        "extra": {"plug-in": 1},
        "audio": True,
        "speech_rate": 200,
        "voice": Path("voice.onnx"),
    }
    every = {f.name for f in dataclasses.fields(Options)}
    # check and strict change no output's bytes: only whether it is checked, or written.
    assert set(changed) == every - {"check", "strict"}
    for name, value in changed.items():
        assert Options(**{name: value}).fingerprint() != Options().fingerprint(), name
    assert Options(check=True).fingerprint() == Options().fingerprint()
    assert Options(strict=True).fingerprint() == Options().fingerprint()


@pytest.mark.parametrize(
    "values, message",
    [
        ({"font_size": 11}, "font size 11 pt is below 12 pt"),
        ({"margin_mm": 60}, "margins 60 mm is above 50 mm"),
        ({"braille_lines": "5"}, "braille lines per page 5 is below 10"),
        ({"paper": "a5"}, "unknown paper 'a5'; choose from A4, A3"),
        ({"font_size": "big"}, "font size: 'big' is not a float"),
        ({"font_size": "nan"}, "font size must be a finite number, not nan"),
        ({"font_size": float("nan")}, "font size must be a finite number, not nan"),
        ({"line_spacing": "inf"}, "line spacing must be a finite number, not inf"),
        ({"margin_mm": "-inf"}, "margins must be a finite number, not -inf"),
    ],
)
def test_values_from_forms_are_typed_and_checked_by_the_options(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(options.UsageError, match=re.escape(message)):
        Options.from_values(values)


def test_values_from_forms_are_converted() -> None:
    chosen = Options.from_values({"font_size": "24", "braille_grade": "1", "paper": "a3"})
    assert (chosen.font_size, chosen.braille_grade, chosen.paper) == (24.0, 1, "A3")
