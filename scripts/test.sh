#!/usr/bin/env bash
# Lint, type-check and run the whole test suite (in parallel on the machine's cores).
# Expects scripts/setup.sh to have run. Exit status is non-zero when anything fails,
# including a run that collected no test (pytest exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"; ruff check converter tests bench tools && ruff format --check converter tests bench tools
echo "== mypy --strict"; mypy --strict converter
echo "== layers"; lint-imports
echo "== pytest"
workers=${PYTEST_WORKERS:-$(nproc)}
exec python -m pytest -n "$workers" --durations=25 "$@"
