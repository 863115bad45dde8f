"""The Python API: parse, convert, formats, Options, and the writer registry."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

from converter import Options, convert, formats, parse, writers
from converter.errors import UsageError
from converter.tree import SCHEMA_VERSION, schema, schema_errors

FIXTURE = Path(__file__).parent / "fixtures" / "xml" / "core-minimal.xml"


def test_parse_returns_a_plain_lxml_tree_with_source_facts() -> None:
    tree = parse(FIXTURE)
    assert isinstance(tree, etree._ElementTree)
    root = tree.getroot()
    assert root.get("schema-version") == SCHEMA_VERSION
    source = root.find("meta/source")
    assert source is not None and source.get("name") == "core-minimal.xml"
    assert len(source.get("sha256", "")) == 64


def test_parse_accepts_bytes_and_text() -> None:
    data = FIXTURE.read_bytes()
    assert parse(data, format="xml").getroot().findtext("meta/title") == parse(
        FIXTURE
    ).getroot().findtext("meta/title")
    assert parse(data.decode(), format="xml").getroot().tag == "report"


def test_convert_returns_bytes_without_out() -> None:
    [output] = convert(FIXTURE, ["xml"])
    assert output.format == "xml" and output.path is None
    assert output.data is not None and b"<report" in output.data


def test_convert_writes_into_a_folder(tmp_path: Path) -> None:
    [output] = convert(FIXTURE, "xml", Options(), tmp_path)
    assert output.path == tmp_path / "core-minimal.xml"
    assert schema_errors(etree.parse(str(output.path)).getroot()) == []


def test_xml_round_trip_is_stable() -> None:
    [first] = convert(FIXTURE, ["xml"])
    assert first.data is not None
    [second] = convert(first.data, ["xml"], source_format="xml")
    assert second.data is not None
    assert _without_source(first.data) == _without_source(second.data)


def _without_source(data: bytes) -> bytes:
    root = etree.fromstring(data)
    source = root.find("meta/source")
    assert source is not None
    source.attrib.pop("sha256")
    source.attrib.pop("name")
    return etree.tostring(root, method="c14n")


def test_every_schema_element_is_documented() -> None:
    rng = etree.fromstring(resources.files("converter.schema").joinpath("report.rng").read_bytes())
    ns = {
        "r": "http://relaxng.org/ns/structure/1.0",
        "a": "http://relaxng.org/ns/compatibility/annotations/1.0",
    }
    names = {e.get("name") for e in rng.iterfind(".//r:element", ns)}
    documented = {
        e.get("name")
        for e in rng.iterfind(".//r:element", ns)
        if e.find("a:documentation", ns) is not None
    }
    assert {
        "report",
        "meta",
        "body",
        "section",
        "p",
        "list",
        "table",
        "pagebreak",
        "artifact",
    } <= documented
    assert len(names) >= 30


def test_formats_come_from_the_registry() -> None:
    assert formats() == list(writers.registry())
    assert "xml" in formats()


def test_registry_refuses_duplicate_names() -> None:
    table: dict[str, writers.Writer] = {}
    writers._add(
        table, writers.Writer("xml", "xml", "application/xml", "one", function=lambda r, o: b"")
    )
    with pytest.raises(UsageError, match="two writers"):
        writers._add(
            table, writers.Writer("xml", "xml", "application/xml", "two", function=lambda r, o: b"")
        )


def test_format_list_parsing() -> None:
    everyday = [name for name in formats() if not writers.get(name).talking]
    assert writers.parse_format_list("all") == everyday
    assert "daisy" not in everyday and "mp3" not in everyday
    assert writers.parse_format_list("all,daisy") == [*everyday, "daisy"]
    assert writers.parse_format_list("mp3,all") == ["mp3", *everyday]
    assert writers.parse_format_list("xml, xml") == ["xml"]
    with pytest.raises(UsageError, match="unknown format"):
        writers.parse_format_list("xml,nope")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"profile": "huge"}, "unknown profile"),
        ({"colours": "pink"}, "unknown colour scheme"),
        ({"paper": "A5"}, "unknown paper"),
        ({"font_size": 11.5}, "below 12"),
        ({"braille_grade": 3}, "unknown braille grade 3"),
        ({"braille_cells": 8}, "cells"),
    ],
)
def test_options_refuse_bad_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Options(**changes)  # type: ignore[arg-type]


def test_options_fingerprint_changes_with_output_affecting_fields() -> None:
    assert Options().fingerprint() == Options(check=True).fingerprint()
    assert Options().fingerprint() != Options(profile="large-24").fingerprint()


def test_schema_loads_from_package_data() -> None:
    assert schema() is schema()
