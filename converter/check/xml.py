"""Checks for canonical XML outputs: well-formed, safe and valid against the packaged schema."""

from __future__ import annotations

import time
from pathlib import Path

from lxml import etree

from converter import review
from converter import tree as canonical
from converter.check import CheckResult
from converter.options import Options


def check(path: Path, options: Options) -> list[CheckResult]:
    started = time.perf_counter()
    try:
        root = etree.fromstring(path.read_bytes(), canonical.safe_parser())
    except etree.XMLSyntaxError as error:
        return [
            CheckResult.of(
                "canonical-schema", "converter canonical XML 1.0", [f"malformed: {error}"]
            )
        ]
    findings = canonical.schema_errors(root)
    results = [
        CheckResult.of(
            "canonical-schema",
            f"converter canonical XML {canonical.SCHEMA_VERSION} (RELAX NG)",
            findings,
            seconds=time.perf_counter() - started,
        )
    ]
    if findings:
        return results  # the review reads valid trees only
    started = time.perf_counter()
    found = review.review(root)
    results.append(
        CheckResult.of(
            "structure-review",
            "structure review: nothing probably wrong in the recovered structure",
            [f"[{f.rule}] {f.line()}" for f in found],
            seconds=time.perf_counter() - started,
        )
    )
    return results
