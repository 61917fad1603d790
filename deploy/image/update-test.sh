#!/usr/bin/env bash
# A/B system updates on the kiosk's image, end to end under QEMU (no KVM), through power
# cuts: v2 made from the image's own bundle and a broken v3, refused bundles, updates rolled
# out on a site server on this machine and fetched by the kiosk's updater, blessing, a write
# cut off, a fallback by the boot loader alone
# (deploy/image/update_test.py says how; docs/system-updates.md what it checks).
#
#   OUT=DIR deploy/image/update-test.sh [BUILD-OUTPUT-DIR [--fallback-only]]   (default target/image)
#
# Serial consoles of each QEMU run in $OUT (a new temporary folder when unset). The last line
# is a one-line summary. Needs root (unsquashfs keeps owners), qemu-system-x86 ovmf mtools
# dosfstools squashfs-tools minisign postgresql and the printer emulator (.ci/setup puts it
# in .venv-emu); builds mpp-hub (debug) when target/debug has none. Skips (exit 0) where QEMU
# is missing, unless CI is set.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-target/image}"
name=update-test
# shellcheck source=deploy/image/qemu-checks.sh
. deploy/image/qemu-checks.sh
for tool in unsquashfs mksquashfs minisign mkfs.vfat mcopy; do
    command -v "$tool" >/dev/null || { echo "update-test: $tool missing (apt install squashfs-tools minisign dosfstools mtools)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "update-test: run as root (the root file system's owners are kept)" >&2; exit 2; }
ls "$dir"/mpp-kiosk-*.update >/dev/null 2>&1 || { echo "update-test: no bundle in $dir: run deploy/image/build.sh first" >&2; exit 2; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "update-test: PostgreSQL missing (apt install postgresql): the site server needs it" >&2; exit 2; }
hub="${MPP_HUB_BIN:-target/debug/mpp-hub}"
[ -x "$hub" ] || cargo build --locked -p mpp-hub
out="${OUT:-$(mktemp -d -t mpp-update-test-XXXXXX)}"
exec python3 deploy/image/update_test.py --image "$dir" --emupos "$emupos" --hub "$hub" --out "$out" "${@:2}"
