"""The one options object shared by the Python API, the CLI, batch and the web service.

Each field carries its own description (a ``Setting``): its command-line flag, help text,
form label, limits and choices.  The CLI's options, the web service's form and JSON model,
the validation here and the batch fingerprint are all made from these fields, so an option
is added (or changed) in this one place.
"""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from converter import profiles
from converter.errors import UsageError

DEFAULT_PROFILE = "large-18"
DEFAULT_COLOURS = "black-on-white"
PAPERS = ("A4", "A3")
PDF_STANDARDS = ("ua-1", "ua-2")  # PDF/UA-1 (ISO 14289-1) and PDF/UA-2 (ISO 14289-2)
MIN_FONT_SIZE = 12.0  # below this a "large print" copy is refused
LARGE_PRINT_MIN = profiles.LARGE_PRINT_MIN  # below this the copy is clear print, labelled so
DEFAULT_SPEECH_RATE = 160  # words a minute: an unhurried reading voice


@dataclass(frozen=True)
class Setting:
    """How one option is offered to people, and the values it allows."""

    flag: str  # the command line's option, e.g. "--font-size"
    help: str  # one sentence: the CLI's help and the form's hint
    noun: str  # what it is called in an error message: "font size"
    label: str = ""  # the web form's label
    group: str = ""  # the web form's group of fields ("Print size and paper")
    aliases: tuple[str, ...] = ()  # more flags for the same option ("--colors")
    metavar: str | None = None
    unit: str = ""  # " pt", " mm": after a number in an error message
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None  # the form's number step
    choices: Callable[[], Sequence[str | int]] | None = None  # a closed list of values
    service: bool = True  # offered by the web service (its form and JSON API)
    folder: bool = False  # a path option that may name a folder as well as a file


def _setting(default: Any, setting: Setting | None = None, *, fingerprint: bool = True) -> Any:
    """A dataclass field with a default and the Setting that describes it; ``fingerprint``
    False for a field that changes no output (it is left out of the fingerprint)."""
    metadata: dict[str, Any] = {"fingerprint": fingerprint}
    if setting is not None:
        metadata["setting"] = setting
    if default is dict:
        return field(default_factory=dict, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Options:
    """How to convert.  Every field has a default; invalid values raise UsageError."""

    profile: str = _setting(
        DEFAULT_PROFILE,
        Setting(
            "--profile",
            "Print profile (see --list-profiles).",
            "profile",
            label="Print profile",
            group="Print size and paper",
            metavar="NAME",
            choices=profiles.profile_names,
        ),
    )
    font_size: float | None = _setting(
        None,
        Setting(
            "--font-size",
            "Body size in points; overrides the profile. Below 16 is clear print; "
            "below 12 is refused.",
            "font size",
            label="Exact font size in points (optional)",
            group="Print size and paper",
            metavar="PT",
            unit=" pt",
            minimum=MIN_FONT_SIZE,
            maximum=96,
            step=0.5,
        ),
    )
    line_spacing: float | None = _setting(
        None,
        Setting(
            "--line-spacing",
            "Line spacing as a multiple of the size; overrides the profile.",
            "line spacing",
            label="Line spacing, as a multiple of the size (optional)",
            group="Print size and paper",
            metavar="N",
            minimum=1.0,
            maximum=3.0,
            step=0.1,
        ),
    )
    margin_mm: float | None = _setting(
        None,
        Setting(
            "--margins",
            "Page margins in millimetres; overrides the profile.",
            "margins",
            label="Page margins in millimetres (optional)",
            group="Print size and paper",
            metavar="MM",
            unit=" mm",
            minimum=5.0,
            maximum=50.0,
            step=1,
        ),
    )
    colours: str = _setting(
        DEFAULT_COLOURS,
        Setting(
            "--colours",
            "Colour scheme (see --list-profiles).",
            "colour scheme",
            label="Colours",
            group="Print size and paper",
            aliases=("--colors",),
            metavar="SCHEME",
            choices=profiles.colour_names,
        ),
    )
    paper: str = _setting(
        "A4",
        Setting(
            "--paper",
            "Paper size.",
            "paper",
            label="Paper",
            group="Print size and paper",
            metavar="SIZE",
            choices=lambda: PAPERS,
        ),
    )
    braille_grade: int = _setting(
        2,
        Setting(
            "--braille-grade",
            "Unified English Braille grade (2 is contracted).",
            "braille grade",
            label="Braille grade",
            group="Braille",
            metavar="1|2",
            choices=lambda: (2, 1),
        ),
    )
    braille_cells: int = _setting(
        40,
        Setting(
            "--cells",
            "Braille cells per line.",
            "braille cells per line",
            label="Braille cells per line",
            group="Braille",
            metavar="N",
            minimum=20,
            maximum=100,
            step=1,
        ),
    )
    braille_lines: int = _setting(
        25,
        Setting(
            "--lines",
            "Braille lines per page.",
            "braille lines per page",
            label="Braille lines per page",
            group="Braille",
            metavar="N",
            minimum=10,
            maximum=100,
            step=1,
        ),
    )
    duplex: bool = _setting(
        False,
        Setting(
            "--duplex",
            "Interpoint braille: both sides of each sheet (BRF and PEF).",
            "duplex",
            label="Interpoint braille (both sides of the paper)",
            group="Braille",
        ),
    )
    pdf_standard: str = _setting(
        "ua-1",
        Setting(
            "--pdf-standard",
            "The accessible PDF standard: PDF/UA-1 or PDF/UA-2.",
            "PDF standard",
            label="PDF standard",
            group="Print size and paper",
            metavar="ua-1|ua-2",
            choices=lambda: PDF_STANDARDS,
        ),
    )
    # convert the plain-language summary instead of the full text
    summary: bool = _setting(
        False,
        Setting(
            "--summary",
            "Convert the plain-language summary instead of the full report.",
            "summary",
            label="A plain-language summary instead of the full report",
            group="Content",
        ),
    )
    # convert the Easy Read edition (short lines with pictures) instead of the full text
    easy_read: bool = _setting(
        False,
        Setting(
            "--easy-read",
            "Convert the Easy Read edition (short lines, each with a picture) instead of the "
            "full report; written as <stem>.easy-read.<ext>.",
            "Easy Read",
            label="An Easy Read edition (short lines with pictures) instead of the full report",
            group="Content",
        ),
    )
    trace: bool = _setting(
        False,
        Setting(
            "--trace",
            "With --to summary (or --easy-read): also write <stem>.summary.trace.json "
            "(<stem>.easy-read.trace.json).",
            "trace",
            service=False,  # a companion file, not an output of its own
        ),
    )
    audio: bool = _setting(
        False,
        Setting(
            "--audio",
            "EPUB: a talking book, narrated with EPUB 3 media overlays (<stem>.audio.epub).",
            "audio",
            label="EPUB with narration (media overlays)",
            group="Audio",
        ),
    )
    speech_rate: int = _setting(
        DEFAULT_SPEECH_RATE,
        Setting(
            "--rate",
            "Talking copies: speaking rate in words a minute.",
            "speaking rate",
            label="Speaking rate, words a minute",
            group="Audio",
            metavar="WPM",
            minimum=80,
            maximum=300,
            step=5,
        ),
    )
    voice: Path | None = _setting(
        None,
        Setting(
            "--voice",
            "Talking copies: a Piper voice model (.onnx, its .onnx.json beside it) to speak "
            "with instead of espeak-ng en-gb; never downloaded.",
            "voice",
            metavar="PATH",
            service=False,  # a path on the server: never the service's to name
        ),
    )
    sources_list: bool = _setting(
        False,
        Setting(
            "--sources",
            "Summary: end with a 'Where this comes from' list of the report's paragraphs.",
            "sources",
            label="End the summary with where each part comes from in the report",
            group="Content",
        ),
    )
    check: bool = _setting(
        False,
        Setting(
            "--check",
            "Check each output's accessibility after writing it.",
            "check",
            service=False,  # the service's configuration decides
        ),
        fingerprint=False,  # changes no output
    )
    strict: bool = _setting(
        False,
        Setting(
            "--strict",
            "Fail the conversion (exit 1, nothing written) when the structure review finds "
            "anything probably wrong.",
            "strict",
            service=False,  # the service stops such a job for review instead
        ),
        fingerprint=False,  # changes no output: only whether there is one
    )
    reference_docx: Path | None = _setting(
        None,
        Setting(
            "--reference-docx",
            "A reference .docx whose styles the DOCX uses.",
            "reference document",
            metavar="FILE",
            service=False,  # a path on the server: never the service's to name
        ),
    )
    fixes: Path | None = _setting(
        None,
        Setting(
            "--fixes",
            "Apply reviewed structure fixes: a patch file (report.fixes.json) or a corrected "
            "canonical XML of the source, refused if the source has changed since; for a "
            "batch, a folder of patch files named like the sources (2021/report.fixes.json).",
            "fixes",
            metavar="PATH",
            service=False,  # the service keeps each report's reviewed structure itself
            folder=True,
        ),
    )
    max_input_bytes: int = _setting(64 * 1024 * 1024)  # set by whoever runs the converter
    extra: dict[str, Any] = _setting(dict)  # for third-party writers

    def __post_init__(self) -> None:
        for option, setting in settings():
            value = getattr(self, option.name)
            if value is None or setting.choices is None:
                _check_range(setting, value)
                continue
            choices = list(setting.choices())
            # Choices are matched whatever their case, and kept as the list spells them.
            spelled = {str(c).casefold(): c for c in choices}.get(str(value).casefold())
            if spelled is None or type(spelled) is not type(value):
                listed = ", ".join(str(c) for c in choices)
                raise UsageError(f"unknown {setting.noun} {value!r}; choose from {listed}")
            object.__setattr__(self, option.name, spelled)
        if self.summary and self.easy_read:
            raise UsageError("--summary and --easy-read are two editions: choose one")
        if self.easy_read:
            size = profiles.print_profile(self).font_size
            if size < LARGE_PRINT_MIN:
                raise UsageError(
                    f"an Easy Read edition is set in large print, {LARGE_PRINT_MIN:g} pt or "
                    f"more, not {size:g} pt (choose a large-print profile)"
                )

    def replace(self, **changes: Any) -> Options:
        return dataclasses.replace(self, **changes)

    def fingerprint(self) -> str:
        """A stable JSON text of every field that changes an output (for manifests, caches)."""
        values = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.metadata["fingerprint"]
        }
        for name in ("reference_docx", "fixes", "voice"):
            if values.get(name) is not None:
                values[name] = str(values[name])
        return json.dumps(values, sort_keys=True, default=str)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> Options:
        """Options from plain values (a form, JSON, a stored record): each converted to its
        field's type first, so "24" is a size and "1" a grade; None keeps the default."""
        hints = field_types()
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if name not in hints:
                raise UsageError(f"unknown option {name!r}")
            converted[name] = _convert(name, hints[name], value)
        return cls(**converted)


def settings() -> list[tuple[dataclasses.Field[Any], Setting]]:
    """Every option offered to people, in order, with its Setting."""
    return [
        (option, option.metadata["setting"])
        for option in dataclasses.fields(Options)
        if "setting" in option.metadata
    ]


def field_types() -> dict[str, Any]:
    """Each field's type, resolved: float | None, int, Path | None..."""
    return typing.get_type_hints(Options)


def value_type(annotation: Any) -> type:
    """The one type a field's values have (float for ``float | None``)."""
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    return arguments[0] if arguments else annotation  # type: ignore[no-any-return]


def _convert(name: str, annotation: Any, value: Any) -> Any:
    if value is None or value == "":
        return (
            None
            if type(None) in typing.get_args(annotation)
            else Options.__dataclass_fields__[name].default
        )
    kind = value_type(annotation)
    if kind is bool and isinstance(value, str):
        return value.casefold() in ("1", "true", "yes", "on")
    if kind in (int, float, Path, str) and not isinstance(value, kind):
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise UsageError(
                f"{name.replace('_', ' ')}: {value!r} is not a {kind.__name__}"
            ) from None
    return value


def _check_range(setting: Setting, value: Any) -> None:
    """A number must be finite and within the setting's limits: every comparison with NaN
    is false, so "nan" would otherwise pass any range (a 'nan point' large-print copy)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    if not math.isfinite(value):
        raise UsageError(f"{setting.noun} must be a finite number, not {value!r}")
    if setting.minimum is not None and value < setting.minimum:
        raise UsageError(
            f"{setting.noun} {value:g}{setting.unit} is below {setting.minimum:g}{setting.unit}"
        )
    if setting.maximum is not None and value > setting.maximum:
        raise UsageError(
            f"{setting.noun} {value:g}{setting.unit} is above {setting.maximum:g}{setting.unit}"
        )
