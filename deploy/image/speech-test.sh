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
name=speech-test
# shellcheck source=deploy/image/qemu-checks.sh
. deploy/image/qemu-checks.sh
out="${OUT:-$(mktemp -d -t mpp-speech-test-XXXXXX)}"
exec python3 deploy/image/speech_test.py --image "$dir" --emupos "$emupos" --out "$out"
