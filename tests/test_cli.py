"""The command-line contract of DESIGN.md section 2a: names, exit codes, one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from converter import formats
from converter.tree import SCHEMA_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "xml" / "core-minimal.xml"


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "converter", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[bytes], code: int) -> str:
    stderr = result.stderr.decode()
    assert result.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("convert: error: ") or stderr.startswith("Usage:"), stderr
    return stderr


def test_version_names_the_program() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert b"converter" in result.stdout


def test_list_formats_lists_every_registered_writer() -> None:
    result = run("--list-formats")
    listed = [line.split()[0] for line in result.stdout.decode().splitlines()]
    assert listed == formats()


def test_list_profiles_names_every_profile_and_scheme() -> None:
    out = run("--list-profiles").stdout.decode()
    for name in (
        "clear-14",
        "large-16",
        "large-18",
        "large-24",
        "giant-32",
        "black-on-cream",
        "white-on-black",
    ):
        assert name in out


def test_to_has_no_default_and_the_error_lists_the_formats() -> None:
    stderr = assert_one_line_error(run(str(FIXTURE)), 2)
    assert "--to is required" in stderr
    assert "xml" in stderr


def test_unknown_format_is_a_usage_error() -> None:
    stderr = assert_one_line_error(run(str(FIXTURE), "--to", "rtf"), 2)
    assert "unknown format 'rtf'" in stderr


def test_font_size_below_12_is_refused() -> None:
    stderr = assert_one_line_error(run(str(FIXTURE), "--to", "xml", "--font-size", "10"), 2)
    assert "below 12" in stderr


@pytest.mark.parametrize(
    "flag, value", [("--font-size", "nan"), ("--font-size", "inf"), ("--line-spacing", "nan")]
)
def test_a_number_that_is_not_finite_is_refused(tmp_path: Path, flag: str, value: str) -> None:
    """Every comparison with NaN is false: a range check alone let 'nan point' through."""
    result = run(str(FIXTURE), "--to", "xml", flag, value, "-o", str(tmp_path / "out.xml"))
    stderr = assert_one_line_error(result, 2)
    assert "must be a finite number" in stderr
    assert not (tmp_path / "out.xml").exists()


def test_unknown_profile_is_a_usage_error() -> None:
    assert "unknown profile" in assert_one_line_error(
        run(str(FIXTURE), "--to", "xml", "--profile", "huge"), 2
    )


def test_missing_source_fails_with_exit_1(tmp_path: Path) -> None:
    stderr = assert_one_line_error(
        run(str(tmp_path / "nope.txt"), "--to", "xml", "-o", str(tmp_path)), 1
    )
    assert "nope.txt: no such file" in stderr


def test_output_folder_gets_stem_dot_ext(tmp_path: Path) -> None:
    result = run(str(FIXTURE), "--to", "xml", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "core-minimal.xml").is_file()


def test_default_output_folder_is_output(tmp_path: Path) -> None:
    result = run(str(FIXTURE), "--to", "xml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "core-minimal.xml").is_file()


def test_o_names_a_file_for_one_source_and_one_format(tmp_path: Path) -> None:
    target = tmp_path / "fixed.xml"
    assert run(str(FIXTURE), "--to", "xml", "-o", str(target)).returncode == 0
    assert target.read_bytes().startswith(b"<?xml")


def test_standard_input_to_standard_output() -> None:
    result = run("-", "--from", "xml", "--to", "xml", "-o", "-", stdin=FIXTURE.read_bytes())
    assert result.returncode == 0, result.stderr
    assert b"<report" in result.stdout


def test_standard_input_is_named_stdin(tmp_path: Path) -> None:
    result = run(
        "-", "--from", "xml", "--to", "xml", "-o", str(tmp_path), stdin=FIXTURE.read_bytes()
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "stdin.xml").is_file()


def test_two_sources_writing_the_same_name_are_a_usage_error_naming_both(tmp_path: Path) -> None:
    other = tmp_path / "b"
    other.mkdir()
    copy = other / FIXTURE.name
    copy.write_bytes(FIXTURE.read_bytes())
    stderr = assert_one_line_error(
        run(str(FIXTURE), str(copy), "--to", "xml", "-o", str(tmp_path / "out")), 2
    )
    assert str(FIXTURE) in stderr and str(copy) in stderr


def test_a_failed_source_does_not_stop_the_others_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<report><unclosed></report>")
    result = run(str(bad), str(FIXTURE), "--to", "xml", "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.decode().count("convert: error:") == 1
    assert (tmp_path / "out" / "core-minimal.xml").is_file()
    assert not (tmp_path / "out" / "bad.xml").exists()
    assert not list((tmp_path / "out").glob("*.part"))


def test_a_subcommand_name_as_a_file_is_given_with_dot_slash(tmp_path: Path) -> None:
    source = tmp_path / "check"
    source.write_bytes(FIXTURE.read_bytes())
    (tmp_path / "out").mkdir()
    result = run(
        "./check", "--from", "xml", "--to", "xml", "-o", str(tmp_path / "out"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "check.xml").is_file()


def test_check_subcommand_reports_and_exits_0_on_a_valid_output(tmp_path: Path) -> None:
    assert run(str(FIXTURE), "--to", "xml", "-o", str(tmp_path)).returncode == 0
    result = run("check", str(tmp_path / "core-minimal.xml"))
    assert result.returncode == 0, result.stdout
    assert b"[PASS   ] canonical-schema" in result.stdout


def test_check_subcommand_exits_1_on_an_invalid_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(FIXTURE.read_bytes().replace(b' schema-version="1.0"', b""))
    result = run("check", "--json", str(broken))
    assert result.returncode == 1
    assert b'"status": "fail"' in result.stdout


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_mentions_the_subcommands(flag: str) -> None:
    out = " ".join(run(flag).stdout.decode().split())
    assert "convert check" in out and "convert serve" in out


def test_check_flag_checks_each_output_after_writing_it(tmp_path: Path) -> None:
    result = run(str(FIXTURE), "--to", "xml", "-o", str(tmp_path), "--check")
    assert result.returncode == 0, result.stderr
    assert b"core-minimal.xml (xml): PASS" in result.stdout


# -- what the terminal says (issue 17) -------------------------------------------------------


def test_a_run_says_what_it_wrote_one_line_per_output(tmp_path: Path) -> None:
    result = run(str(FIXTURE), "--to", "xml,pdf,brf", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 3
    xml, pdf, brf = lines
    assert xml == f"wrote {tmp_path / 'core-minimal.xml'}: canonical XML, schema {SCHEMA_VERSION}"
    assert pdf.startswith(f"wrote {tmp_path / 'core-minimal.pdf'}: ")
    assert re.search(r": \d+ pages?, PDF/UA-1, large print 18 pt$", pdf)
    assert re.search(r": \d+ braille pages, grade 2 \(contracted\), 40 x 25$", brf)


def test_quiet_says_nothing_but_errors(tmp_path: Path) -> None:
    result = run(str(FIXTURE), "--to", "xml", "-o", str(tmp_path), "--quiet")
    assert result.returncode == 0 and result.stdout == b"" and result.stderr == b""
    assert (tmp_path / "core-minimal.xml").is_file()


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (("--to", "brf", "--braille-grade", "x"), "convert"),
        (("--to", "brf", "--no-such-option"), "convert"),
        (("check",), "convert check"),
    ],
)
def test_usage_errors_read_like_every_other_error(args: tuple[str, ...], command: str) -> None:
    full = args if args[0] == "check" else (str(FIXTURE), *args)
    result = run(*full)
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert stderr.startswith("convert: error: ") and stderr.count("\n") == 1, stderr
    assert stderr.rstrip().endswith(f"see {command} --help")
    assert "convert to" not in stderr and "Usage:" not in stderr


def test_convert_check_reads_the_profile_from_the_file(tmp_path: Path) -> None:
    assert (
        run(
            str(FIXTURE), "--to", "pdf,docx", "--profile", "large-24", "-q", "-o", str(tmp_path)
        ).returncode
        == 0
    )
    for name in ("core-minimal.pdf", "core-minimal.docx"):
        ok = run("check", str(tmp_path / name))
        assert ok.returncode == 0, ok.stdout.decode()
    # Told another profile, it measures against that one.
    wrong = run("check", "--profile", "large-18", str(tmp_path / "core-minimal.pdf"))
    assert wrong.returncode == 1
    assert b"body text is 24 pt, not 18 pt" in wrong.stdout
