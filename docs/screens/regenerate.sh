#!/usr/bin/env bash
# Draws docs/screens/ again: every screen in Indonesian and English (1080×1920 portrait),
# and every screen in large text (large/) and on a 1280×800 landscape panel (landscape/),
# as a citizen meets them on Monday 30 November 2026 at 09.05 WITA. Run from the repository
# root after a change to the screens, then look at the pictures.
set -euo pipefail
out=docs/screens
db="$(mktemp -d)/kiosk.sqlite3"
shot() { MPP_KIOSK_NOW=2026-11-30T01:05:00Z cargo run --locked --quiet -- --db "$db" screenshot "$@" >/dev/null; }
rm -f "$out"/*.png "$out"/large/*.png "$out"/landscape/*.png
mkdir -p "$out/large" "$out/landscape"
for lang in id en; do
  shot --all --lang "$lang" --size 1080x1920 --out "$out"
done
shot --all --lang id --size 1080x1920 --large-text --out "$out/large"
shot --all --lang id --size 1280x800 --out "$out/landscape"
for lang in id en; do
  shot --screen welcome --lang "$lang" --at 2026-11-30T12:00:00Z --size 1080x1920 --out "$out/welcome-closed-evening-$lang.png"
  shot --screen welcome --lang "$lang" --at 2026-11-28T07:00:00Z --size 1080x1920 --out "$out/welcome-closed-saturday-$lang.png"
done
echo "$(find "$out" -name '*.png' -not -path '*/hub/*' | wc -l) pictures in $out"
