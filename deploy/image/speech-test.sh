#!/usr/bin/env bash
# The speech mode on the kiosk's image, end to end: boots it under QEMU (no KVM) with a USB
# keyboard as the speech keypad (QMP key events), an HDA sound card captured to a WAV file
# (-audiodev wav) and the printer emulator on the serial port; presses a blind citizen's
# path from the key that starts the speech mode to a printed slip, checks that each key is
# answered by speech and that the number heard (twice) is the slip's
# (deploy/image/speech_test.py says how).
#
#   OUT=DIR deploy/image/speech-test.sh [IMAGE-DIR]     (default target/image, from build.sh)
#
# The captured sound is $OUT/speech.wav ($OUT: a new temporary folder when unset). The last
# line is a one-line summary. Needs: qemu-system-x86 ovmf mtools, the printer emulator
# (.ci/setup puts it in .venv-emu; MPP_EMUPOS names another). Skips (exit 0) where QEMU is
# missing, unless CI is set. Bounded: about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-target/image}"
if ! command -v qemu-system-x86_64 >/dev/null; then
    [ -n "${CI:-}" ] && [ "${CI}" != false ] && { echo "speech-test: qemu-system-x86_64 missing (apt install qemu-system-x86 ovmf)" >&2; exit 1; }
    echo "speech-test: SKIPPED: qemu-system-x86_64 not installed (apt install qemu-system-x86 ovmf)"; exit 0
fi
emupos="${MPP_EMUPOS:-.venv-emu/bin/emupos}"
[ -x "$emupos" ] || { echo "speech-test: the printer emulator $emupos is missing (bash .ci/setup installs it)" >&2; exit 2; }
out="${OUT:-$(mktemp -d -t mpp-speech-test-XXXXXX)}"
exec python3 deploy/image/speech_test.py --image "$dir" --emupos "$emupos" --out "$out"
