"""The RELAX NG schema of the canonical XML (report.rng), shipped as package data."""
