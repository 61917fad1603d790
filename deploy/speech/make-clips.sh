#!/bin/bash
# Makes the speech mode's default prompt clips from assets/speech/prompts.txt with
# espeak-ng's Indonesian voice and sox, reproducibly (the same espeak-ng and sox give the
# same files). A site re-records any of them in its own voice: the same names, WAV, 16-bit
# mono 22,050 Hz, in [speech] clips_dir (docs/speech-mode.md). Letters, digits and pauses are
# the lobby voice's clips (hub/voice/make-clips.sh).
#
#   bash deploy/speech/make-clips.sh [OUT_DIR]      (default: assets/speech)
#
# Needs: apt install espeak-ng sox
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$here/assets/speech}"
mkdir -p "$out"
command -v espeak-ng >/dev/null || { echo "make-clips: espeak-ng missing (apt install espeak-ng)" >&2; exit 2; }
command -v sox >/dev/null || { echo "make-clips: sox missing (apt install sox)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
n=0
while IFS='|' read -r name words; do
  case "$name" in ''|'#'*) continue ;; esac
  # -s 175: the kiosk's synthesizer rate, so prompts and catalogue texts sound alike.
  printf '%s' "$words" | espeak-ng -v id -s 175 -a 180 --stdin -w "$tmp/$name.wav"
  # 22,050 Hz mono 16-bit, no dither (reproducible); silence trimmed; peak at -3 dBFS; a
  # short pause after, so prompts in a row do not run together.
  sox -D "$tmp/$name.wav" -r 22050 -c 1 -b 16 "$out/$name.wav" \
    silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse norm -3 pad 0 0.25
  n=$((n + 1))
done < "$here/assets/speech/prompts.txt"
echo "make-clips: $n clips in $out ($(du -sh "$out" | cut -f1))"
