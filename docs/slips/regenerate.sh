#!/usr/bin/env bash
# Prints docs/slips/ again after a change to the slip: the 80 mm and 58 mm samples from the
# printer emulator (the printing tests keep them when MPP_SLIP_SAMPLES is set; they need
# `emupos`, which `bash .ci/setup` installs), and the preview printer's own drawing of a
# priority ticket on 58 mm paper, as a citizen gets them on Monday 30 November 2026 at
# 09.05 WITA. Run from anywhere; then look at the pictures.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$PWD/docs/slips"
MPP_SLIP_SAMPLES="$out" MPP_KIOSK_NO_SKIP=1 cargo test --locked --quiet --test it printing::a_slip_on_ >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/kiosk.toml" <<TOML
[printer]
paper = "58mm"
uri = "preview:$work/slips"
TOML
MPP_KIOSK_NOW=2026-11-30T01:05:00Z cargo run --locked --quiet -- --config "$work/kiosk.toml" \
    --db "$work/kiosk.sqlite3" ticket issue --service KTP-BARU --priority elderly >/dev/null
cp "$(ls "$work"/slips/*.png | head -1)" "$out/preview-58mm-priority.png"
ls -l "$out"/*.png
