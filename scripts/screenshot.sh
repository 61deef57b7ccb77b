#!/usr/bin/env bash
# Run the app, wait for its window, and save a screenshot of that window (the first start, on the
# sample photo); then stage the README's screenshots with scripts/screenshots.py: the before/after
# wipe, a three-model comparison with scores, and the reference panel in use.
#
#   scripts/screenshot.sh [OUTPUT.png] [enhancer arguments...]
#
# Without a display (CI, a server) it starts a virtual one (Xvfb :99, 1400x900). Needs xvfb,
# xdotool and imagemagick (Debian: apt-get install xvfb xdotool imagemagick libxcb-cursor0).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-$root/docs/screenshots/first-start.png}"
shift || true
# ENHANCER=dist/enhancer/enhancer scripts/screenshot.sh checks a PyInstaller build instead.
enhancer="${ENHANCER:-$root/.venv/bin/enhancer}"
[[ -x "$enhancer" ]] || enhancer="python3 -m enhancer"

pids=()
home="$(mktemp -d)"
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$home"
}
trap cleanup EXIT

if [[ -z "${DISPLAY:-}" ]]; then
    export DISPLAY=:99
    Xvfb "$DISPLAY" -screen 0 1400x900x24 -nolisten tcp &
    pids+=($!)
    for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
fi

# A private user folder, so the screenshot shows what a first start looks like.
export ENHANCER_HOME="$home"
QT_QPA_PLATFORM=xcb $enhancer "$@" &
pids=("$!" "${pids[@]}")

window="$(timeout 60 xdotool search --sync --onlyvisible --name Enhancer | head -n1)"
# The window is mapped before its first paint lands; give the photo a moment to appear.
sleep 2
mkdir -p "$(dirname "$output")"
import -window "$window" "$output"
echo "saved $output (window $window)"

# The staged screenshots need the source tree (they drive the window from Python), not a bundle.
if [[ -z "${ENHANCER:-}" ]]; then
    kill "${pids[0]}" 2>/dev/null || true
    python="$root/.venv/bin/python"
    [[ -x "$python" ]] || python=python3
    QT_QPA_PLATFORM=xcb "$python" "$root/scripts/screenshots.py" "$(dirname "$output")"
fi
