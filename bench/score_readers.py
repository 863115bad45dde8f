"""Print the text reader's per-document, per-field score against ../shared/corpus/expected.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from converter import parse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/support

from support.scoring import FIELDS, score

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> int:
    expected_path = CORPUS / "expected.json"
    if not expected_path.exists():
        print(f"{CORPUS} is absent: nothing to score")
        return 0
    expected = {
        entry["file"]: entry for entry in json.loads(expected_path.read_text(encoding="utf-8"))
    }
    verbose = "-v" in sys.argv
    totals = dict.fromkeys(FIELDS, 0)
    print(f"{'document':28}" + "".join(f"{name[:8]:>9}" for name in FIELDS))
    for name, facts in sorted(expected.items()):
        root = parse(CORPUS / name).getroot()
        scores = score(root, facts)
        print(
            f"{name.split('.')[0][7:35]:28}"
            + "".join(f"{('ok' if scores[f].ok else 'NO'):>9}" for f in FIELDS)
        )
        if verbose:
            for field in FIELDS:
                if not scores[field].ok:
                    print(f"    {field}: {scores[field].detail}")
        for field in FIELDS:
            totals[field] += scores[field].ok
    print(
        f"{'fields right (of ' + str(len(expected)) + ')':28}"
        + "".join(f"{totals[f]:>9}" for f in FIELDS)
    )
    print(f"overall: {sum(totals.values())}/{len(FIELDS) * len(expected)} fields")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
