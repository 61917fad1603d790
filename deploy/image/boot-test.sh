#!/usr/bin/env bash
# The image's end-to-end test: boots it under QEMU (no KVM) with a touch device and the
# printer emulator on a serial port and a USB-serial adapter, taps the citizen's path to a
# printed slip (landscape, then rotated 90°), reads `doctor` from inside and checks the
# watchdog (deploy/image/boot_test.py says how).
#
#   deploy/image/boot-test.sh [IMAGE-DIR]      (default target/image, from build.sh)
#
# Needs: qemu-system-x86 ovmf mtools zbar-tools, the printer emulator (.ci/setup puts it in
# .venv-emu; MPP_EMUPOS names another) and cargo (the tap positions are read from the UI).
# Skips (exit 0) where QEMU is missing, unless CI is set. Bounded: about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-target/image}"
name=boot-test
# shellcheck source=deploy/image/qemu-checks.sh
. deploy/image/qemu-checks.sh
command -v zbarimg >/dev/null || { echo "boot-test: zbarimg missing (apt install zbar-tools)" >&2; exit 2; }

# The guest's clock: Monday 30 November 2026, 09:05 WITA, inside every opening hour of the
# embedded catalogue, whatever day the test runs on.
at="2026-11-30T01:05:00Z"
targets="$(mktemp)"
trap 'rm -f "$targets"' EXIT
# 1280x800: the std VGA's mode in QEMU; 800x1280: the same panel turned 90°.
cargo run --locked --quiet --example tap-targets -- --at "$at" 1280x800 800x1280 >"$targets"
python3 deploy/image/boot_test.py --image "$dir" --targets "$targets" --emupos "$emupos" --at "$at"
