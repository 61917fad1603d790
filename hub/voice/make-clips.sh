#!/bin/bash
# Makes the default voice clips of mpp-hub's call ("Nomor antrean, K T B, A, nol nol tujuh,
# silakan menuju loket tiga") with espeak-ng's Indonesian voice and sox, reproducibly:
# the same espeak-ng and sox give the same files. A site re-records any of them in its own
# voice (docs/voice.md): same names, WAV, 16-bit mono 22,050 Hz.
#
#   bash hub/voice/make-clips.sh [OUT_DIR]      (default: hub/assets/voice)
#
# Needs: apt install espeak-ng sox
set -euo pipefail
out="${1:-$(dirname "$0")/../assets/voice}"
mkdir -p "$out"
command -v espeak-ng >/dev/null || { echo "make-clips: espeak-ng missing (apt install espeak-ng)" >&2; exit 2; }
command -v sox >/dev/null || { echo "make-clips: sox missing (apt install sox)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# name|what is said. Letters are said by their Indonesian names, one by one.
clips=(
  "nomor-antrean|Nomor antrean"
  "silakan-menuju|silakan menuju"
  "loket|loket"
  "huruf-a|a" "huruf-b|be" "huruf-c|ce" "huruf-d|de" "huruf-e|e" "huruf-f|ef" "huruf-g|ge"
  "huruf-h|ha" "huruf-i|i" "huruf-j|je" "huruf-k|ka" "huruf-l|el" "huruf-m|em" "huruf-n|en"
  "huruf-o|o" "huruf-p|pe" "huruf-q|ki" "huruf-r|er" "huruf-s|es" "huruf-t|te" "huruf-u|u"
  "huruf-v|fe" "huruf-w|we" "huruf-x|eks" "huruf-y|ye" "huruf-z|zet"
  "angka-0|nol" "angka-1|satu" "angka-2|dua" "angka-3|tiga" "angka-4|empat" "angka-5|lima"
  "angka-6|enam" "angka-7|tujuh" "angka-8|delapan" "angka-9|sembilan"
  "sepuluh|sepuluh" "sebelas|sebelas" "belas|belas" "puluh|puluh" "seratus|seratus" "ratus|ratus"
)
for c in "${clips[@]}"; do
  name="${c%%|*}"; text="${c#*|}"
  # -s 140: a little slower than the default, for a hall; -a 180: loud.
  espeak-ng -v id -s 140 -a 180 -w "$tmp/$name.wav" "$text"
  # 22,050 Hz mono 16-bit, no dither (-D: dither is random, the files would differ each run);
  # silence trimmed at both ends; peak at -3 dBFS.
  sox -D "$tmp/$name.wav" -r 22050 -c 1 -b 16 "$out/$name.wav" \
    silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse norm -3
done
# The chime: a two-tone "ding-dong" (E6 then C6) that decays, 1.2 s.
sox -D -n -r 22050 -c 1 -b 16 "$tmp/ding.wav" synth 0.6 sine 1318.5 fade q 0.005 0.6 0.55 vol 0.6
sox -D -n -r 22050 -c 1 -b 16 "$tmp/dong.wav" synth 0.8 sine 1046.5 fade q 0.005 0.8 0.75 vol 0.6
sox -D "$tmp/ding.wav" "$tmp/dong.wav" "$out/chime.wav" norm -3
# Pauses: between the parts of a number, and between phrases.
sox -D -n -r 22050 -c 1 -b 16 "$out/jeda-pendek.wav" trim 0 0.15
sox -D -n -r 22050 -c 1 -b 16 "$out/jeda.wav" trim 0 0.4
ls "$out" | wc -l
