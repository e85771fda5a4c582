#!/usr/bin/env bash
# Renders a report.html in headless Chromium and checks that the screenshot is not blank; with a
# fragment and a file, it also opens REPORT#FRAGMENT (the explorer performs the clicks the
# fragment names through its own controls) and writes the page as the browser then holds it.
# Usage: tests/html-renders.sh [reports/baseline/report.html [FRAGMENT DOM_FILE]]
# Without Chromium: under CI (the variable CI set) with apt-get and root, it installs Chromium
# first (~45 s) and fails if that fails; elsewhere it exits 0 with "skipped".
set -euo pipefail
report=${1:-reports/baseline/report.html}
find_browser() {
    command -v chromium || command -v chromium-browser || command -v google-chrome || command -v headless_shell || true
}
browser=$(find_browser)
if [ -z "$browser" ] && [ -n "${CI:-}" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing Chromium with apt-get (CI)" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1; then
        echo "CI: apt-get could not install Chromium, so the HTML report is not checked" >&2
        exit 1
    fi
    browser=$(find_browser)
fi
if [ -z "$browser" ]; then
    echo "skipped: no Chromium on this machine"
    exit 0
fi
[ -f "$report" ] || { echo "no such report: $report" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,4000 \
    --screenshot="$out/report.png" "file://$(realpath "$report")" >/dev/null 2>&1
[ -s "$out/report.png" ] || { echo "Chromium wrote no screenshot of $report" >&2; exit 1; }
size=$(stat -c %s "$out/report.png")
# A blank white page of this size compresses to a few kilobytes; text, tables and plots do not.
[ "$size" -gt 40000 ] || { echo "the screenshot of $report looks blank ($size bytes)" >&2; exit 1; }
echo "ok: $report rendered in $browser ($size bytes of screenshot)"
if [ $# -ge 3 ]; then
    "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 \
        --dump-dom "file://$(realpath "$report")#$2" >"$3" 2>/dev/null
    [ -s "$3" ] || { echo "Chromium wrote no page for $report#$2" >&2; exit 1; }
    echo "ok: $report#$2 written to $3"
fi
