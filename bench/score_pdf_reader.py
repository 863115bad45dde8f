"""Score the PDF reader against the text reader (on pdftotext text) and ../shared/corpus/expected.json."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from converter import parse
from converter.readers import pdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/support

from support.pdf_scoring import (
    FACETS,
    FIELDS,
    expected_facts,
    facet_verdicts,
    scored,
    text_reader_best,
)

from converter.words import account

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> int:
    if not (CORPUS / "expected.json").exists():
        print(f"{CORPUS} is absent: nothing to score")
        return 0
    verbose = "-v" in sys.argv
    expected = expected_facts(CORPUS)
    totals = {"pdf": 0, "text": 0}
    worse = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(CORPUS.glob("*.pdf")):
            facts = expected[path.stem]
            mine = scored("pdf", parse(path).getroot(), facts)
            text = text_reader_best(path, facts, Path(tmp))
            verdicts = facet_verdicts(mine, text, facts)
            words = account(pdf.text_layer(path.read_bytes()), mine.root)
            print(f"\n{path.stem}  (text reader's best: {text.label})")
            print(f"  {'field':12}{'text':>6}{'pdf':>6}  pdf detail")
            for field in FIELDS:
                t, p = text.scores[field], mine.scores[field]
                mark = "" if p.ok or not t.ok else "   <-- worse"
                print(
                    f"  {field:12}{'ok' if t.ok else 'NO':>6}{'ok' if p.ok else 'NO':>6}  {p.detail}{mark}"
                )
            print(f"  {'right':12}{text.right:>6}{mine.right:>6}  of {len(FIELDS)}")
            print("  facets vs text reader: " + ", ".join(f"{f} {verdicts[f]}" for f in FACETS))
            print(
                f"  words lost: {sum(words.lost.values())}, invented: {sum(words.invented.values())}"
            )
            if verbose:
                for facet in FACETS:
                    if verdicts[facet] != "same":
                        print(
                            f"    {facet}: pdf {mine.facets[facet]}\n    {'':{len(facet)}}  txt {text.facets[facet]}"
                        )
            totals["pdf"] += mine.right
            totals["text"] += text.right
            worse += sum(v == "worse" for v in verdicts.values())
    print(
        f"\nfields right: text reader {totals['text']}, pdf reader {totals['pdf']}; facets worse: {worse}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
