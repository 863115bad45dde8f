"""Talking copies: the talking EPUB (EPUBCheck, Ace, our overlay checks), the DAISY 2.02
book (our checker, and planted faults it must catch), the MP3 zip, every word spoken, the
lexicon, structure spoken, durations measured against the rate and by re-synthesis, Piper
with a voice model, and clean errors for missing espeak-ng or LAME.

Each document is narrated once per session (conftest.render_talking): the three talking
formats are made in one conversion, which narrates once."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, SAMPLE, corpus_params, corpus_texts
from lxml import etree
from support.piper_voice import make_voice
from support.synthetic import long_report_xml

from converter import Options, api, parse, writers
from converter import tree as canonical
from converter.check import daisy as daisy_check
from converter.check import epub as epub_check
from converter.check import mp3 as mp3_check
from converter.check import narration as spoken
from converter.errors import DependencyError, OutputError
from converter.writers import edition
from converter.writers.audio import engine, lexicon, mp3, narration
from converter.writers.audio import script as spoken_script

FIXTURE = REPO / "tests" / "fixtures" / "xml" / "epub-pages.xml"
# Figures of every kind (described, undescribed, decorative, linked), a note and a table.
FIGURES = REPO / "tests" / "fixtures" / "xml" / "talking-figures.xml"
# Every element of the schema; its one figure has a description.
EVERY_ELEMENT = REPO / "tests" / "fixtures" / "xml" / "xhtml-every-element.xml"


def documents() -> list[object]:
    return [pytest.param(SAMPLE, id="sample"), *corpus_params(corpus_texts())]


def tree(source: Path) -> etree._Element:
    return parse(source).getroot()


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(parts: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def failed(results: list[object]) -> dict[str, tuple[str, ...]]:
    return {r.name: r.details for r in results if r.status != "pass"}  # type: ignore[attr-defined]


# -- the validators, on the sample and every corpus document ---------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("source", documents())
def test_talking_epub_passes_epubcheck_ace_and_overlay_checks(render_talking, source: Path) -> None:
    path = render_talking(source)["epub"]
    results = epub_check.check(path, Options(), tree(source))
    names = {r.name for r in results}
    assert {"epubcheck", "ace", "epub-media-overlays", "epub-every-word-spoken"} <= names
    assert failed(results) == {}


@pytest.mark.parametrize("source", documents())
def test_daisy_book_passes_our_checker(render_talking, source: Path) -> None:
    results = daisy_check.check(render_talking(source)["daisy"], Options(), tree(source))
    assert len(results) == 5
    assert failed(results) == {}


@pytest.mark.parametrize("source", documents())
def test_mp3_zip_passes_its_check(render_talking, source: Path) -> None:
    assert failed(mp3_check.check(render_talking(source)["mp3"], Options())) == {}


def said_words(text: str) -> int:
    """How many words a text is said in: a number is said in words ("2,345" is "two
    thousand three hundred and forty five", six words), each other word is one."""
    count = 0
    for token in re.findall(r"\d[\d,]*(?:\.\d+)?|[^\W\d_]+(?:'[^\W\d_]+)*", text):
        if not token[0].isdigit():
            count += 1
            continue
        whole, _, decimals = token.replace(",", "").partition(".")
        count += _number_words(int(whole)) + (1 + len(decimals) if decimals else 0)
    return count


def _number_words(number: int) -> int:
    if number < 20:
        return 1
    if number < 100:
        return 1 if number % 10 == 0 else 2
    if 1000 < number < 2100 and number % 100:  # a year: "twenty twenty one"
        return 3
    for size in (10**9, 10**6, 1000, 100):
        if number >= size:
            high, rest = divmod(number, size)
            return _number_words(high) + 1 + (0 if rest == 0 else _number_words(rest) + 1)
    return 1


def silence_put_in(script: spoken_script.Script) -> tuple[float, int]:
    """(seconds, parts): the silence narration puts around the speech of the parts that
    are said: a lead-in and a tail per part, a pause before each heading after the first
    utterance and after every utterance."""
    seconds, parts = 0.0, 0
    for part in script.parts:
        if not part.utterances:
            continue  # nothing said: no audio at all
        parts += 1
        seconds += narration.LEAD_IN + narration.TAIL + sum(u.pause for u in part.utterances)
        seconds += sum(
            spoken_script.PAUSE_BEFORE_HEADING for u in part.utterances[1:] if u.kind == "heading"
        )
    return seconds, parts


@pytest.mark.parametrize("source", documents())
def test_total_duration_is_within_ten_percent_of_the_words_at_the_rate(
    render_talking, source: Path
) -> None:
    """The speech (every clip) lasts as long as its words take at the chosen rate, within
    10%, and the book is that speech plus exactly the pauses narration puts between
    passages (a list of one-word lines has as many pauses as words).  For the sample, a
    report of paragraphs, the whole book, pauses included, is within 10% too."""
    book = unzip(render_talking(source)["daisy"])
    total = sum(mp3.duration(data) for name, data in book.items() if name.endswith(".mp3"))
    speech = 0.0
    for name in (n for n in book if n.endswith(".smil")):
        smil = etree.fromstring(book[name], canonical.safe_parser())
        for audio in smil.iter("audio"):
            speech += spoken.seconds(audio.get("clip-end")) - spoken.seconds(
                audio.get("clip-begin")
            )
    script = spoken_script.script_of_tree(tree(source))
    spoken_words = sum(said_words(u.spoken) for u in script.utterances)
    expected = spoken_words / Options().speech_rate * 60
    assert abs(speech - expected) / expected <= 0.10, (speech, expected)
    # LAME pads each file to whole frames (and its encoder delay): under 0.15 s a file.
    silence, files = silence_put_in(script)
    assert abs(total - (speech + silence)) <= 0.15 * files, (total, speech, silence)
    if source == SAMPLE:
        assert abs(total - expected) / expected <= 0.10, (total, expected)


# -- the clips, listened to by machine --------------------------------------------------------------


def decoded(data: bytes, folder: Path) -> np.ndarray:
    """An MP3 decoded by LAME to its 16-bit samples, as a listener's player would."""
    (folder / "part.mp3").write_bytes(data)
    subprocess.run(
        ["lame", "--quiet", "--decode", "-t", str(folder / "part.mp3"), str(folder / "part.raw")],
        check=True,
    )
    return np.frombuffer((folder / "part.raw").read_bytes(), dtype="<i2").astype(np.float64)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0


def test_first_and_middle_clips_of_the_sample_match_their_text_resynthesised(
    render_talking, tmp_path: Path
) -> None:
    """Listened to by machine: the first clip of the book (the title) and one from its
    middle, decoded from the MP3 a player gets, hold their text's speech.  The text
    synthesised again on its own is as long as the clip (within 5%) and sounds the same
    (its waveform correlates with the clip's, at the codec's delay of a few milliseconds),
    and the pauses on either side of the clip are silence."""
    book = unzip(render_talking(SAMPLE)["daisy"])
    script = spoken_script.script_of_tree(tree(SAMPLE))
    spoken_by_id = {u.id: u.spoken for u in script.utterances}
    ncc = book["ncc.html"].decode()
    in_play_order = dict.fromkeys(re.findall(r'href="([^"#]+\.smil)#', ncc))
    clips: list[tuple[str, str, float, float]] = []  # (element id, MP3, begin, end)
    for name in in_play_order:
        smil = etree.fromstring(book[name], canonical.safe_parser())
        for par in smil.iter("par"):
            audio = par.find("audio")
            clips.append(
                (
                    par.find("text").get("src").partition("#")[2],
                    audio.get("src"),
                    spoken.seconds(audio.get("clip-begin")),
                    spoken.seconds(audio.get("clip-end")),
                )
            )
    assert clips[0][0] == "title"
    voice = engine.engine_for(narration.voice_of(Options(), "en"))
    rate = voice.sample_rate
    long_clips = [clip for clip in clips if clip[3] - clip[2] > 2.0]
    for element_id, audio, begin, end in (clips[0], long_clips[len(long_clips) // 2]):
        length = end - begin
        again = np.frombuffer(voice.synthesise(spoken_by_id[element_id]), dtype="<i2")
        again = again.astype(np.float64)
        assert abs(len(again) / rate - length) / length <= 0.05, (element_id, len(again), length)
        heard = decoded(book[audio], tmp_path)
        start, stop = round(begin * rate), round(end * rate)
        # The decoder's delay: where the start of the speech best matches (0-60 ms late).
        window = again[: rate // 2]
        search = heard[start : start + len(window) + round(0.06 * rate)]
        delay = int(np.argmax(np.correlate(search, window, mode="valid")))
        clip = heard[start + delay : stop + delay]
        size = min(len(clip), len(again))
        similarity = float(
            np.dot(clip[:size], again[:size])
            / (np.linalg.norm(clip[:size]) * np.linalg.norm(again[:size]))
        )
        assert similarity > 0.9, (element_id, similarity, delay)
        before = heard[max(0, start + delay - rate // 5) : start + delay]
        after = heard[stop + delay : stop + delay + rate // 5]
        assert rms(before) < 0.02 * rms(clip) and rms(after) < 0.02 * rms(clip), element_id


# -- planted faults the DAISY checker must catch ----------------------------------------------------


def _plant(render_talking, tmp_path: Path, change) -> dict[str, tuple[str, ...]]:
    parts = unzip(render_talking(SAMPLE)["daisy"])
    change(parts)
    broken = rezip(parts, tmp_path / "broken.daisy.zip")
    return failed(daisy_check.check(broken, Options(), tree(SAMPLE)))


def test_a_clip_past_the_end_of_its_audio_is_caught(render_talking, tmp_path: Path) -> None:
    def change(parts: dict[str, bytes]) -> None:
        name = "chapter-02.smil"
        text = parts[name].decode()
        last = re.findall(r'clip-end="npt=([\d.]+)s"', text)[-1]
        parts[name] = text.replace(f'clip-end="npt={last}s"', 'clip-end="npt=999.000s"').encode()

    found = _plant(render_talking, tmp_path, change)
    assert set(found) == {"daisy-clips"}
    assert any("past the end of chapter-02.mp3" in d for d in found["daisy-clips"])


def test_a_missing_reference_is_caught(render_talking, tmp_path: Path) -> None:
    def change(parts: dict[str, bytes]) -> None:
        parts["chapter-02.smil"] = parts["chapter-02.smil"].replace(
            b"content.html#improve-2", b"content.html#improve-9"
        )

    found = _plant(render_talking, tmp_path, change)
    assert "daisy-coverage" in found
    assert any(
        "improve-9: the text it points at does not exist" in d for d in found["daisy-coverage"]
    )
    assert any("improve-2 is never spoken" in d for d in found["daisy-coverage"])


def test_a_missing_audio_file_is_caught(render_talking, tmp_path: Path) -> None:
    found = _plant(render_talking, tmp_path, lambda parts: parts.pop("chapter-03.mp3"))
    assert any("chapter-03.mp3: no such file" in d for d in found["daisy-references"])


def test_a_heading_absent_from_the_ncc_is_caught(render_talking, tmp_path: Path) -> None:
    def change(parts: dict[str, bytes]) -> None:
        ncc = etree.fromstring(parts["ncc.html"], canonical.safe_parser())
        body = ncc.find("{http://www.w3.org/1999/xhtml}body")
        heading = next(h for h in body if "What needs" in "".join(h.itertext()))
        body.remove(heading)
        parts["ncc.html"] = etree.tostring(ncc, xml_declaration=True, encoding="utf-8")

    found = _plant(render_talking, tmp_path, change)
    assert any(
        "what-needs-to-improve-heading" in d and "is not in the NCC" in d
        for d in found["daisy-coverage"]
    )
    assert any("ncc:tocItems" in d for d in found["daisy-ncc"])
    assert any("never played" in d for d in found["daisy-references"])


def test_missing_required_ncc_metadata_is_caught(render_talking, tmp_path: Path) -> None:
    found = _plant(
        render_talking,
        tmp_path,
        lambda parts: parts.update(
            {"ncc.html": re.sub(rb'<meta name="ncc:narrator"[^>]*/>', b"", parts["ncc.html"])}
        ),
    )
    assert found["daisy-ncc"] == ("required metadata ncc:narrator is missing",)


def test_an_overlay_clip_past_its_audio_is_caught_in_the_talking_epub(
    render_talking, tmp_path: Path
) -> None:
    parts = unzip(render_talking(SAMPLE)["epub"])
    name = "EPUB/overlays/chapter-02.smil"
    parts[name] = re.sub(rb'clipEnd="[^"]+"', b'clipEnd="0:09:59.000"', parts[name], count=1)
    broken = rezip(parts, tmp_path / "broken.audio.epub")
    [overlays, _] = epub_check.overlay_checks(broken)
    assert overlays.status == "fail"
    assert any("past the end of EPUB/audio/chapter-02.mp3" in d for d in overlays.details)


# -- figures, notes and tables ---------------------------------------------------------------------


@pytest.mark.parametrize("source", [FIGURES, EVERY_ELEMENT], ids=["figures", "every-element"])
def test_figures_notes_and_tables_pass_every_check(render_talking, source: Path) -> None:
    paths = render_talking(source)
    root = tree(source)
    assert failed(epub_check.check(paths["epub"], Options(), root)) == {}
    assert failed(daisy_check.check(paths["daisy"], Options(), root)) == {}
    assert failed(mp3_check.check(paths["mp3"], Options())) == {}


def smil_targets(book: dict[str, bytes]) -> list[str]:
    """The ids of content.html that the DAISY book's SMIL files speak, in order."""
    targets = []
    for name in sorted(n for n in book if n.endswith(".smil")):
        smil = etree.fromstring(book[name], canonical.safe_parser())
        targets += [text.get("src").partition("#")[2] for text in smil.iter("text")]
    return targets


def test_an_image_is_said_as_its_description_and_a_decorative_one_never(render_talking) -> None:
    script = spoken_script.script_of_tree(tree(FIGURES))
    said = {u.id: u.spoken for u in script.utterances}
    assert said["chart-carers-image"] == (
        "Image: A line chart: approved households rose from 9 to 14 over three years."
    )
    assert said["chart-carers-text"] == "Figure 1: Approved fostering households"
    assert said["photo-event-image"] == "Image without a description."
    assert said["divider-text"] == "Figure 3: Our service emblem"  # a decorative one's caption
    assert said["map-linked-text"] == (
        "Image, not included in this copy: "
        "A map of the borough with placements marked in each ward."
    )
    assert said["photo-linked-text"] == "Image, not included in this copy, without a description."
    # A note: its label said, its link back to the text not.
    assert said["note-1-text"] == "Note 1: Households approved between April 2023 and March 2024."
    assert said["placements-table-r3c2"] == "Children: 31"
    # The writer's words ("image without a description") are structure, not the report's.
    assert spoken_script.spoken_findings(script) == []
    assert Counter(spoken_script.script_words(script)) == spoken_script.book_words(
        edition.prepare(tree(FIGURES))
    )

    book = unzip(render_talking(FIGURES)["daisy"])
    targets = smil_targets(book)
    content = etree.fromstring(book["content.html"], canonical.safe_parser())
    pictures = list(content.iter("{http://www.w3.org/1999/xhtml}img"))
    decorative = [img for img in pictures if img.get("alt") == ""]
    assert len(pictures) == 4 and len(decorative) == 2
    for img in pictures:
        if img in decorative:
            assert img.get("id") is None or img.get("id") not in targets
        else:
            assert targets.count(str(img.get("id"))) == 1
        assert img.get("src", "").startswith("images/") and img.get("src") in book
    assert targets.index("chart-carers-image") < targets.index("chart-carers-text")


def test_listening_suffices_only_when_every_image_has_a_description(render_talking) -> None:
    modes = r'property="schema:accessModeSufficient">([^<]+)<'
    with_undescribed = unzip(render_talking(FIGURES)["epub"])["EPUB/content.opf"].decode()
    assert '<meta property="schema:accessMode">auditory</meta>' in with_undescribed
    assert re.findall(modes, with_undescribed) == ["textual,visual"]
    every_described = unzip(render_talking(EVERY_ELEMENT)["epub"])["EPUB/content.opf"].decode()
    assert sorted(re.findall(modes, every_described)) == ["auditory", "textual", "textual,visual"]


def test_an_image_description_left_unspoken_is_caught(render_talking, tmp_path: Path) -> None:
    parts = unzip(render_talking(FIGURES)["daisy"])
    name = next(n for n in parts if n.endswith(".smil") and b"#chart-carers-image" in parts[n])
    smil = etree.fromstring(parts[name], canonical.safe_parser())
    par = next(p for p in smil.iter("par") if "#chart-carers-image" in p.find("text").get("src"))
    par.getparent().remove(par)
    parts[name] = etree.tostring(smil, xml_declaration=True, encoding="utf-8")
    broken = rezip(parts, tmp_path / "broken.daisy.zip")
    found = failed(daisy_check.check(broken, Options(), tree(FIGURES)))
    assert "content.html#chart-carers-image is never spoken" in found["daisy-coverage"]
    assert any("'chart'" in d for d in found["daisy-every-word-spoken"])


def test_a_false_claim_that_listening_suffices_is_caught(render_talking, tmp_path: Path) -> None:
    parts = unzip(render_talking(FIGURES)["epub"])
    parts["EPUB/content.opf"] = parts["EPUB/content.opf"].replace(
        b'<meta property="schema:accessMode">auditory</meta>',
        b'<meta property="schema:accessMode">auditory</meta>'
        b'<meta property="schema:accessModeSufficient">auditory</meta>',
    )
    broken = rezip(parts, tmp_path / "broken.audio.epub")
    found = failed(epub_check.package_checks(broken))
    assert any("claims 'auditory'" in d for d in found["epub-accessibility-metadata"])


# -- every word spoken ------------------------------------------------------------------------------


def test_every_word_of_the_sample_is_in_the_script_sent_to_the_engine() -> None:
    root = tree(SAMPLE)
    script = spoken_script.script_of_tree(root)
    assert Counter(spoken_script.script_words(script)) == spoken_script.book_words(
        edition.prepare(root)
    )
    assert spoken_script.spoken_findings(script) == []


def test_the_word_check_catches_a_word_left_unspoken(render_talking) -> None:
    root = tree(SAMPLE)
    book = unzip(render_talking(SAMPLE)["daisy"])
    document = etree.fromstring(book["content.html"], canonical.safe_parser())
    references = [f"content.html#{e.get('id')}" for e in spoken.text_elements(document)]
    spoken_words = spoken.spoken_text_words({"content.html": document}, references)
    assert spoken.words_findings(root, spoken_words) == []
    assert spoken.words_findings(root, spoken_words[:-1])  # one word fewer
    script = spoken_script.script_of_tree(root)
    part = script.parts[1]
    index, first = next((i, u) for i, u in enumerate(part.utterances) if " " in u.spoken)
    part.utterances[index] = spoken_script.Utterance(
        first.id, first.kind, first.text, first.announce, first.spoken.rsplit(" ", 1)[0]
    )
    assert spoken_script.spoken_findings(script)


# -- the lexicon and structure spoken -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("The PLO and CAMHS", "The P L O and cams"),
        ("an IRO", "an I R O"),
        ("SEND services", "send services"),
        ("HMI visited", "H M I visited"),
        ("s47 enquiries", "section 47 enquiries"),
        ("16- to 17-year-olds", "16 to 17 year olds"),
        ("a 19-year-old", "a 19 year old"),
        ("£1.5m saved", "1.5 million pounds saved"),
        ("on 22/11/2021", "on 22 November 2021"),
        ("in 2017-18", "in 2017 to 2018"),
        ("aged 0-25", "aged 0 to 25"),
        ("children's 3 homes", "children's 3 homes"),
        ("send it", "send it"),
    ],
)
def test_lexicon(written: str, said: str) -> None:
    assert lexicon.lexicon().apply(written) == said


def test_every_lexicon_entry_says_why_it_is_there() -> None:
    import tomllib

    data = tomllib.loads((REPO / "converter/writers/audio/lexicon.toml").read_text())
    for name, entry in data["words"].items():
        assert entry["why"].strip(), name
    for entry in data["patterns"]:
        assert entry["why"].strip(), entry["match"]
        re.compile(entry["match"])


def test_tables_and_lists_are_spoken_with_their_structure() -> None:
    script = spoken_script.script_of_tree(tree(SAMPLE))
    said = [u.spoken for u in script.utterances]
    # The caption every table is given is said once as a table's: never "Table: Table 1".
    assert "Table 1: Judgement and Grade" in said
    assert "4 rows. Columns: Judgement" in said
    assert "Grade" in said
    assert "Row 1: The impact of leaders on social work practice with children and families" in said
    assert said.count("Grade: Good") == 4
    assert any(s.startswith("List of 4 items. The application of thresholds") for s in said)


def test_page_markers_are_spoken_and_in_the_ncc(tmp_path: Path) -> None:
    [record] = api.convert(FIXTURE, ["daisy"], Options(), tmp_path)
    assert record.path is not None
    book = unzip(record.path)
    ncc = book["ncc.html"].decode()
    pages = re.findall(r'<span class="page-normal" id="[^"]+">\s*<a href="[^"]+">(\d+)</a>', ncc)
    assert pages and pages == sorted(pages, key=int)
    assert f'name="ncc:pageNormal" content="{len(pages)}"' in ncc
    assert failed(daisy_check.check(record.path, Options(), tree(FIXTURE))) == {}


# -- outputs, names and options -----------------------------------------------------------------------


def test_output_names_and_the_all_list(render_talking) -> None:
    paths = render_talking(SAMPLE)
    assert paths["epub"].name == "ofsted-ilacs-warwickshire-2021.audio.epub"
    assert paths["daisy"].name == "ofsted-ilacs-warwickshire-2021.daisy.zip"
    assert paths["mp3"].name == "ofsted-ilacs-warwickshire-2021.mp3.zip"
    assert "daisy" not in writers.parse_format_list("all")
    assert writers.parse_format_list("all,daisy")[-1] == "daisy"


def test_talking_epub_keeps_the_nav_page_list_and_text_of_the_plain_epub(
    render, render_talking
) -> None:
    """Narration adds overlays and audio; the nav (toc, landmarks, page-list), the spine
    and every content document's text are those of the plain EPUB (ids are added to spoken
    elements that had none, nothing else)."""
    plain = unzip(render(FIXTURE, "epub"))
    talking = unzip(render_talking(FIXTURE)["epub"])
    assert talking["EPUB/nav.xhtml"] == plain["EPUB/nav.xhtml"]
    assert b'epub:type="page-list"' in plain["EPUB/nav.xhtml"]
    documents = sorted(n for n in plain if n.endswith(".xhtml"))
    assert sorted(n for n in talking if n.endswith(".xhtml")) == documents
    for name in documents:
        before = etree.fromstring(plain[name], canonical.safe_parser())
        after = etree.fromstring(talking[name], canonical.safe_parser())
        assert list(after.itertext()) == list(before.itertext()), name
        assert [e.tag for e in after.iter()] == [e.tag for e in before.iter()], name
    spine = r'<itemref idref="[^"]+"'
    opf_plain, opf_talking = (
        plain["EPUB/content.opf"].decode(),
        talking["EPUB/content.opf"].decode(),
    )
    assert re.findall(spine, opf_talking) == re.findall(spine, opf_plain)
    assert "media-overlay=" in opf_talking and "media-overlay=" not in opf_plain


def test_talking_epub_metadata_is_truthful(render_talking) -> None:
    opf = unzip(render_talking(SAMPLE)["epub"])["EPUB/content.opf"].decode()
    assert '<meta property="schema:accessModeSufficient">auditory</meta>' in opf
    assert '<meta property="schema:accessModeSufficient">textual</meta>' in opf
    assert '<meta property="media:active-class">-epub-media-overlay-active</meta>' in opf
    assert "eSpeak NG en-gb" in opf
    assert len(re.findall(r'property="media:duration" refines=', opf)) == opf.count(
        'media-overlay="'
    )


def test_the_sample_talking_copies_are_reproducible(render_talking, tmp_path: Path) -> None:
    """Same input, same bytes (espeak-ng and LAME are deterministic; zips have fixed dates)."""
    narration._narrate.cache_clear()
    api.convert(SAMPLE, ["daisy"], Options(), tmp_path)
    again = (tmp_path / "ofsted-ilacs-warwickshire-2021.daisy.zip").read_bytes()
    assert again == render_talking(SAMPLE)["daisy"].read_bytes()


def test_the_sample_talking_copies_are_unchanged(render_talking, accept: bool) -> None:
    """Golden hashes, as for every other format (tests/test_output_hashes.py)."""
    from test_output_hashes import compare, output_hashes

    compare("sample-talking", output_hashes(list(render_talking(SAMPLE).values())), accept)


def test_a_slower_rate_gives_a_longer_book(tmp_path: Path) -> None:
    lengths = []
    for rate in (120, 200):
        [record] = api.convert(FIXTURE, ["mp3"], Options(speech_rate=rate), tmp_path / str(rate))
        assert record.path is not None
        tracks = unzip(record.path)
        lengths.append(sum(mp3.duration(d) for n, d in tracks.items() if n.endswith(".mp3")))
    assert lengths[0] > lengths[1] * 1.3


# -- Piper, with a voice model the user supplies ------------------------------------------------------


def test_a_piper_voice_model_narrates_instead_of_espeak(tmp_path: Path) -> None:
    model = make_voice(tmp_path)
    [record] = api.convert(FIXTURE, ["daisy"], Options(voice=model), tmp_path / "out")
    assert record.path is not None
    ncc = unzip(record.path)["ncc.html"].decode()
    assert 'content="Piper voice tiny (synthetic speech)"' in ncc
    assert failed(daisy_check.check(record.path, Options(), tree(FIXTURE))) == {}


def test_a_missing_or_broken_voice_model_is_one_clean_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    (tmp_path / "broken.onnx.json").write_text(json.dumps({"audio": {"sample_rate": 1}}))
    for model, message in (
        (tmp_path / "absent.onnx", "no such voice model file"),
        (broken, "not a Piper voice model"),
    ):
        out = tmp_path / "out"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "converter",
                str(FIXTURE),
                "--to",
                "daisy",
                "--voice",
                str(model),
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1
        assert message in result.stderr and "Traceback" not in result.stderr
        assert not out.exists() or not list(out.iterdir())


# -- bad input and missing programs ---------------------------------------------------------------------


@pytest.mark.parametrize(("program", "package"), [("espeak-ng", "espeak-ng"), ("lame", "lame")])
def test_a_missing_program_is_one_clean_error_naming_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, program: str, package: str
) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == program else real_which(name))
    engine.espeak_command.cache_clear()
    mp3.lame_command.cache_clear()
    engine._engine.cache_clear()
    narration._narrate.cache_clear()
    try:
        with pytest.raises(DependencyError, match=f"Debian package {package}"):
            api.convert(FIXTURE, ["mp3"], Options(), tmp_path)
        assert list(tmp_path.iterdir()) == []  # no partial file
    finally:
        engine.espeak_command.cache_clear()
        mp3.lame_command.cache_clear()
        engine._engine.cache_clear()


def test_characters_no_voice_can_say_still_make_a_correct_book(tmp_path: Path) -> None:
    source = tmp_path / "odd.md"
    source.write_text(
        "# Odd \uf06e characters \u2713\n\nA tick \u2713, a private bullet \uf0b7, emoji \U0001f600, "
        "Tangut \U00018cd6, a zero width\u200bspace and <b>markup</b> & ampersands.\n",
        encoding="utf-8",
    )
    (tmp_path / "out").mkdir()
    outputs = api.convert(source, ["daisy", "epub"], Options(audio=True), tmp_path / "out")
    root = parse(source).getroot()
    for record in outputs:
        assert record.path is not None
        results = (
            daisy_check.check(record.path, Options(), root)
            if record.format == "daisy"
            else epub_check.overlay_checks(record.path, root)
        )
        assert failed(results) == {}


def test_a_text_with_no_words_is_one_clean_error(tmp_path: Path) -> None:
    source = tmp_path / "nothing.txt"
    source.write_text("... --- ***\n", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "converter", str(source), "--to", "daisy", "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.count("error") == 1 and "Traceback" not in result.stderr
    assert not out.exists() or not list(out.iterdir())


def test_a_500_page_document_makes_a_correct_book(tmp_path: Path) -> None:
    """500 print pages, every one in the NCC and spoken, in parts of an hour or more.  Thin
    pages (about 40 words) at 300 words a minute keep the suite quick; bench_audio.py --long
    narrates 500 full pages at the default rate."""
    source = tmp_path / "long.xml"
    source.write_bytes(long_report_xml(pages=500, words_per_page=40, sections=5))
    [record] = api.convert(source, ["daisy"], Options(speech_rate=300), tmp_path / "out")
    assert record.path is not None, record.error
    assert failed(daisy_check.check(record.path, Options(), tree(source))) == {}
    book = unzip(record.path)
    ncc = book["ncc.html"].decode()
    assert 'name="ncc:pageNormal" content="500"' in ncc
    assert 'name="ncc:maxPageNormal" content="500"' in ncc
    longest = max(mp3.duration(data) for name, data in book.items() if name.endswith(".mp3"))
    assert longest > 15 * 60  # a part of many minutes: its speech was fed to LAME as made


def test_a_book_longer_than_a_talking_copy_is_made_for_is_one_clean_error(tmp_path: Path) -> None:
    """500 full pages (about 200,000 words) at 80 words a minute would last over 40 hours:
    refused before anything is spoken, nothing written."""
    source = tmp_path / "long.xml"
    source.write_bytes(long_report_xml(pages=500, words_per_page=400, sections=20))
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "converter", str(source), "--to", "daisy", "--rate", "80"]
        + ["-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "hours to read aloud at 80 words a minute" in result.stderr
    assert result.stderr.count("error") == 1 and "Traceback" not in result.stderr
    assert not out.exists() or not list(out.iterdir())


def test_speech_fed_to_lame_in_pieces_is_the_same_mp3() -> None:
    """The encoder fed as speech is made gives the bytes of one run over the whole PCM."""
    voice = engine.engine_for(narration.voice_of(Options(), "en"))
    pieces = [voice.synthesise(f"Paragraph {n} of the report.") for n in range(1, 8)]
    whole = mp3.encode(b"".join(pieces), voice.sample_rate)
    with mp3.Encoder(voice.sample_rate) as encoder:
        for piece in pieces:
            encoder.write(piece)
        assert encoder.samples * 2 == sum(len(p) for p in pieces)
        fed = encoder.finish()
    assert fed == whole


@pytest.mark.parametrize("when", ["at once", "at the end"])
def test_lame_failing_is_one_clean_error_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A LAME that stops (a full disk, a broken install) while speech is fed to it, or that
    fails once it has it all: one OutputError with LAME's own last words, no traceback."""
    failing = tmp_path / "lame"
    reads = "" if when == "at once" else "cat >/dev/null\n"
    failing.write_text(f"#!/bin/sh\n{reads}echo 'lame: write error: disk full' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(failing) if name == "lame" else None)
    mp3.lame_command.cache_clear()
    try:
        with (
            pytest.raises(OutputError, match="LAME failed: lame: write error: disk full"),
            mp3.Encoder(22050) as encoder,
        ):
            for _ in range(200):  # more than a pipe holds: a write meets the closed pipe
                encoder.write(bytes(65536))
            encoder.finish()
    finally:
        mp3.lame_command.cache_clear()


# -- narration in parallel ----------------------------------------------------------------------------


def test_parts_are_narrated_in_parallel_and_in_order() -> None:
    script = spoken_script.script_of_tree(tree(FIXTURE))
    voice = narration.voice_of(Options(), "en")
    seen: list[int] = []

    def runner(function, jobs):  # type: ignore[no-untyped-def]
        seen.extend(job.number for job in jobs)
        return list(reversed([function(job) for job in reversed(jobs)]))

    narration._narrate.cache_clear()
    with narration.parts_run_by(runner):
        narrated = narration.narrate(script, voice)
    assert seen == [part.number for part in script.parts] and len(seen) > 1
    assert [p.number for p in narrated.parts] == seen
    narration._narrate.cache_clear()


def test_the_mp3_frame_counter_agrees_with_mutagen(render_talking) -> None:
    from mutagen.mp3 import MP3

    tracks = unzip(render_talking(SAMPLE)["mp3"])
    for name, data in tracks.items():
        if name.endswith(".mp3"):
            assert abs(MP3(io.BytesIO(data)).info.length - mp3.duration(data)) < 0.05


def test_convert_check_runs_every_check_and_the_word_check_needs_the_report(
    tmp_path: Path,
) -> None:
    """With --check the conversion compares the book with the report's tree (every word
    spoken); `convert check` on the file alone says that check was not run."""
    [record] = api.convert(FIXTURE, ["daisy"], Options(check=True), tmp_path)
    assert record.check is not None and record.check["passed"] is True
    statuses = {r["name"]: r["status"] for r in record.check["results"]}  # type: ignore[union-attr]
    assert statuses["daisy-every-word-spoken"] == "pass"
    assert set(statuses.values()) == {"pass"}
    assert record.path is not None
    result = subprocess.run(
        [sys.executable, "-m", "converter", "check", str(record.path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[NOT-RUN] daisy-every-word-spoken" in result.stdout
    assert "[PASS   ] daisy-clips" in result.stdout
