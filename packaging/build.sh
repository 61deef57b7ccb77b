#!/usr/bin/env bash
# Build the one-folder app into dist/enhancer/ (run from anywhere; takes several minutes).
#
#   packaging/build.sh            # uses .venv/bin/python if present, else python3
#   dist/enhancer/enhancer        # opens the app; `dist/enhancer/enhancer models` lists models
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
[[ -x "$python" ]] || python=python3

cd "$root"
"$python" -m PyInstaller --noconfirm --clean \
    --distpath "$root/dist" --workpath "$root/build" \
    packaging/enhancer.spec

echo "built $root/dist/enhancer ($(du -sh "$root/dist/enhancer" | cut -f1))"
