#!/usr/bin/env bash
# Set up everything converter needs on Debian 12: system packages, a virtual environment
# with the package and its test tools, liblouis in that environment, and the Node validators.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

apt_packages=(
  libpango-1.0-0 libpangoft2-1.0-0        # WeasyPrint
  poppler-utils                           # pdftotext, pdftoppm
  pandoc                                  # benchmark reference
  default-jdk-headless libjaxb-java       # EPUBCheck, veraPDF
  liblouis-bin liblouis-data python3-louis # braille
  chromium                                # axe-core, Ace, web service tests
  libreoffice-writer-nogui                # DOCX validation
  espeak-ng lame                          # talking copies: speech (en-gb) and MP3
)
# Debian's own python3 needs python3-venv for `python3 -m venv`.
"${PYTHON:-python3}" -c 'import ensurepip, venv' 2>/dev/null || apt_packages+=(python3-venv)
# Ace and axe-core need Node >= 18: Debian's unless one is already on PATH.
command -v node >/dev/null && command -v npm >/dev/null || apt_packages+=(nodejs npm)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # With their recommended packages (fonts among them), as tested here.
    apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing; run as root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
stamp=.venv/.converter-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv"
  log=.venv/pip-install.log
  if ! { .venv/bin/python -m pip install -q --upgrade pip \
         && .venv/bin/python -m pip install -q -e ".[test]"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: installing Python packages failed (log above, also in $log)" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
fi

# The louis module is pure ctypes over Debian's liblouis: link it into the environment.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ ! -e "$site/louis" ]; then
  ln -s /usr/lib/python3/dist-packages/louis "$site/louis"
fi

# Ace by DAISY and axe-core, pinned by tools/node/package-lock.json, inside the environment.
node_dir=.venv/node
if ! cmp -s tools/node/package-lock.json "$node_dir/package-lock.json"; then
  echo "setup: installing Node validators (Ace, axe-core)"
  mkdir -p "$node_dir"
  cp tools/node/package.json tools/node/package-lock.json "$node_dir/"
  (cd "$node_dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund >/dev/null)
fi
mkdir -p output
echo "setup: ready ($root/.venv)"
