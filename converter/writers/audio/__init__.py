"""Talking copies: speech engines, the pronunciation lexicon, the spoken script of a report,
narration (in parallel per part) and MP3, shared by the `epub --audio`, `daisy` and `mp3`
writers."""
