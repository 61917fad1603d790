#!/usr/bin/env bash
# Boots the kiosk image under QEMU (software emulation, no KVM) through UEFI (OVMF) and
# systemd-boot, and checks: the kiosk service comes up under its watchdog, it draws on the
# emulated display (a screendump from QEMU's monitor), and a hung kiosk is restarted.
#
#   deploy/image/boot-test.sh [IMAGE-DIR]      (default target/image, from build.sh)
#
# Skips (exit 0) where QEMU is not installed, unless CI is set. Bounded: about 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-target/image}"
if ! command -v qemu-system-x86_64 >/dev/null; then
    [ -n "${CI:-}" ] && { echo "boot-test: qemu-system-x86_64 missing (apt install qemu-system-x86 ovmf)" >&2; exit 1; }
    echo "boot-test: skipped: qemu-system-x86_64 not installed"; exit 0
fi
[ -f "$dir/mpp-kiosk.img" ] || { echo "boot-test: no $dir/mpp-kiosk.img: run deploy/image/build.sh first" >&2; exit 2; }
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -f "$ovmf_code" ] || { echo "boot-test: OVMF missing (apt install ovmf)" >&2; exit 2; }

run="$dir/boot-test"
rm -rf "$run"; mkdir -p "$run"
cp --sparse=always "$dir/mpp-kiosk.img" "$run/disk.img"
cp "$ovmf_vars" "$run/vars.fd"
# The test's boot entry: the same as the kiosk's, plus the flag that enables boottest.sh.
export MTOOLS_SKIP_CHECK=1
mcopy -n -i "$run/disk.img@@1M" ::/loader/entries/kiosk.conf "$run/kiosk.conf"
sed -i 's/^options \(.*\)$/options \1 mpp-kiosk.boottest/' "$run/kiosk.conf"
mcopy -o -i "$run/disk.img@@1M" "$run/kiosk.conf" ::/loader/entries/kiosk.conf

qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 2 -m 1536 \
    -drive if=pflash,format=raw,readonly=on,file="$ovmf_code" \
    -drive if=pflash,format=raw,file="$run/vars.fd" \
    -drive file="$run/disk.img",format=raw,if=virtio \
    -vga std -device virtio-tablet-pci -display none \
    -serial file:"$run/serial.log" -monitor unix:"$run/monitor.sock",server,nowait \
    -nic none &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT

wait_for() { # pattern, seconds
    local end=$((SECONDS + $2))
    until grep -q "$1" "$run/serial.log" 2>/dev/null; do
        if [ $SECONDS -ge $end ] || ! kill -0 $qemu 2>/dev/null; then
            echo "boot-test: FAILED waiting for '$1'"; tail -40 "$run/serial.log"; exit 1
        fi
        sleep 2
    done
}
start=$SECONDS
wait_for "BOOTTEST kiosk" 300
grep "BOOTTEST kiosk" "$run/serial.log"
grep -q "BOOTTEST kiosk active" "$run/serial.log" || { echo "boot-test: FAILED: the kiosk service is not active"; exit 1; }
wait_for "BOOTTEST drawn" 60
python3 - "$run/monitor.sock" "$(realpath "$run")/screen.ppm" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.5); s.recv(65536)
s.sendall(f"screendump {sys.argv[2]}\n".encode()); time.sleep(2); s.recv(65536)
PY
python3 - "$run/screen.ppm" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
# P6 header: magic, width, height, max, then RGB bytes.
parts = data.split(b'\n', 3)
w, h = map(int, parts[1].split()); px = parts[3]
colours = {px[i:i+3] for i in range(0, len(px), 3 * 97)}
print(f"boot-test: screen {w}x{h}, {len(colours)} distinct colours sampled")
# The welcome screen has the blue banner, white text and the orange button; a console or
# a blank screen has one or two colours.
sys.exit(0 if len(colours) >= 8 and (0x12, 0x3d, 0x91) in {tuple(c) for c in colours} else 1)
PY
echo "boot-test: the welcome screen is drawn ($run/screen.ppm)"
wait_for "BOOTTEST done" 180
grep "BOOTTEST restarted" "$run/serial.log"
grep -q "BOOTTEST restarted.*state active" "$run/serial.log" && ! grep -q "BOOTTEST restarted pid $(grep -o 'hung [0-9]*' "$run/serial.log" | cut -d' ' -f2) " "$run/serial.log" \
    || { echo "boot-test: FAILED: the hung kiosk was not restarted"; grep BOOTTEST "$run/serial.log"; exit 1; }
echo "boot-test: passed in $((SECONDS - start)) s: service active under the watchdog, welcome screen drawn, a hung kiosk restarted"
