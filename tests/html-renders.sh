#!/usr/bin/env bash
# Renders a report.html in headless Chromium and checks that the screenshot is not blank.
# Usage: tests/html-renders.sh [reports/baseline/report.html]
# Exits 0 with "skipped" where no Chromium is installed (CI runs it where one is).
set -euo pipefail
report=${1:-reports/baseline/report.html}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || command -v headless_shell || true)
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
