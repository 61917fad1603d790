#!/bin/sh
# Runs inside the image only when the kernel command line has mpp-kiosk.boottest (the boot
# test adds it; mpp-kiosk.boottest=speech runs the speech test's phase instead). The host (deploy/image/boot_test.py) taps the screen through QEMU and reads
# the printers; this side sets the kiosk up for each phase and reports on the serial port
# (ttyS0) in lines starting with BOOTTEST:
#   1. the test's config (printer on the second serial port) from QEMU's fw_cfg; "ready 1"
#   2. waits for the citizen's ticket to be printed; the technician's doctor, as the service
#   3. rotation 90° and the USB-serial printer, as a technician would set them; "ready 2"
#   4. waits for the second ticket; hangs the kiosk (SIGSTOP) and reports the watchdog's restart
# The serial login prompt would hang up the port under us: the test owns ttyS0.
systemctl stop serial-getty@ttyS0.service 2>/dev/null || true
exec >/dev/ttyS0 2>&1
echo  # end whatever the console printed last (a login prompt) before the first report
say() { echo "BOOTTEST $*"; }
kiosk() { runuser -u mpp-kiosk -- env STATE_DIRECTORY=/var/lib/mpp-kiosk /usr/bin/mpp-kiosk --config /etc/mpp-kiosk/config.toml "$@"; }
active() {
    for i in $(seq 1 180); do systemctl is-active -q mpp-kiosk.service && return 0; sleep 1; done
    return 1
}
# Waits until the service has held its display for a few seconds (the first frame drawn).
settle() { active; sleep "${1:-15}"; }
# Waits for the ticket with this number to leave "issued"; reports its status, then leaves
# the done screen up a while for the host's screendump before the next phase.
ticket() {
    for i in $(seq 1 300); do
        line=$(kiosk ticket list 2>/dev/null | grep -F "$1" || true)
        case "$line" in *printed*|*print_failed*) break ;; esac
        sleep 1
    done
    say "ticket $1 ${line:-missing}"
    sleep 10
}

active
say "kiosk $(systemctl is-active mpp-kiosk.service) watchdog $(systemctl show -p WatchdogUSec --value mpp-kiosk.service)"
say "clock $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "time servers $(grep -h "^NTP=" /etc/systemd/timesyncd.conf.d/*.conf 2>/dev/null | tail -1)"

# 1. The test's site config, handed in by QEMU (-fw_cfg name=opt/mpp-kiosk/config.toml).
modprobe qemu_fw_cfg 2>/dev/null || true
cfg=/sys/firmware/qemu_fw_cfg/by_name/opt/mpp-kiosk/config.toml/raw
if [ -r "$cfg" ]; then
    install -m 640 -g mpp-kiosk "$cfg" /etc/mpp-kiosk/config.toml
    say "config from fw_cfg: $(grep -c . /etc/mpp-kiosk/config.toml) lines"
else
    say "config: no fw_cfg config, keeping the image's"
fi
# The kiosk's credential for a site server on the host (the update test's hub).
token=/sys/firmware/qemu_fw_cfg/by_name/opt/mpp-kiosk/upload.token/raw
if [ -r "$token" ]; then
    install -m 640 -g mpp-kiosk "$token" /etc/mpp-kiosk/upload.token
    say "credential from fw_cfg"
fi
systemctl restart mpp-kiosk.service
# The updater reads the config at its start: the test's, from now on.
systemctl try-restart mpp-kiosk-updater.service
settle 20

# The speech test (mpp-kiosk.boottest=speech, deploy/image/speech-test.sh): QEMU's USB
# keyboard stands in for the keypad, named as the technician guide says for a model the
# shipped rule does not know; the host presses its keys and listens to the sound card.
if grep -q "mpp-kiosk.boottest=speech" /proc/cmdline; then
    printf '%s\n' 'SUBSYSTEM=="input", KERNEL=="event*", ENV{ID_INPUT_KEYBOARD}=="1", ATTRS{idVendor}=="0627", ATTRS{idProduct}=="0001", SYMLINK+="mpp-keypad"' \
        >/etc/udev/rules.d/62-mpp-kiosk-keypad-local.rules
    udevadm control --reload
    udevadm trigger --subsystem-match=input --action=add
    udevadm settle
    say "keypad $(readlink -f /dev/mpp-keypad 2>/dev/null || echo missing)"
    say "sound $(aplay -l 2>/dev/null | grep -m1 '^card' || echo none)"
    systemctl restart mpp-kiosk.service
    settle 20
    pid=$(systemctl show -p MainPID --value mpp-kiosk.service)
    say "speech devices $(ls -l /proc/$pid/fd 2>/dev/null | grep -o '/dev/input/event[0-9]*' | sort -u | tr '\n' ' ')"
    journalctl -b -u mpp-kiosk.service --no-pager -o cat | grep -i "speech\|keypad" | tail -5 | sed 's/^/BOOTTEST speechlog /'
    kiosk doctor 2>&1 | grep -i "speech" | sed 's/^/BOOTTEST doctor-speech /'
    say "ready speech"
    for i in $(seq 1 600); do
        line=$(kiosk ticket list 2>/dev/null | grep -E "printed|print_failed" | head -1 || true)
        [ -n "$line" ] && break
        sleep 1
    done
    say "ticket ${line:-missing}"
    # The voice's own figures: from each key to its first sound, inside the guest.
    sleep 45
    journalctl -b -u mpp-kiosk.service --no-pager -o cat | grep "first sound" | sed 's/^/BOOTTEST latency /'
    journalctl -b -u mpp-kiosk.service --no-pager -o cat | grep -iE "speech: (the|cannot|no clip)|aplay|espeak" | tail -10 | sed 's/^/BOOTTEST speecherr /'
    say "done"
    exit 0
fi
# The update test (mpp-kiosk.boottest=update, deploy/image/update-test.sh): the host hands
# each boot its steps (fw_cfg opt/mpp-kiosk/steps) and a USB stick with bundles, and reads
# the slots' status here. Steps: "run ID" first (each ID's steps run once, in the first
# boot of that QEMU run, not again after its reboots), then "issue" (a ticket, printed, for
# the outbox), "refuse FILE" (a bundle the kiosk must refuse), "install FILE", "reboot";
# with a hub on the host, the updater fetches and restarts by itself (its log is relayed).
if grep -q "mpp-kiosk.boottest=update" /proc/cmdline; then
    # The JSON alone on its line; what the command logged goes on a line of its own.
    status() { /usr/bin/mpp-kiosk --config /etc/mpp-kiosk/config.toml system status --json 2>/run/status.err | tr -d '\n' | tr -s ' '; }
    # The verdict on this boot comes from systemd-boot and systemd-bless-boot: wait for it.
    for i in $(seq 1 60); do
        systemctl is-active -q boot-complete.target && break
        [ -e /sys/firmware/efi/efivars/LoaderBootCountPath-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f ] || break
        sleep 2
    done
    sleep 3
    say "status $(status)"
    [ -s /run/status.err ] && say "status-log $(tr '\n' ' ' </run/status.err)"
    say "entries $(ls /boot/efi/loader/entries | tr '\n' ' ')"
    say "root $(findmnt -n -o SOURCE,FSTYPE,OPTIONS /) data $(findmnt -n -o SOURCE /var/lib/mpp-kiosk)"
    say "tickets $(kiosk ticket list 2>/dev/null | grep -c KTB-) outbox $(kiosk sync status 2>/dev/null | grep -i -m1 'outbox\|pending' | tr -s ' ')"
    # What the updater does (fetch, check, write, restart) goes to the host as it happens,
    # and when a slot starts being written (the host's power cut comes then).
    journalctl -b -f -n all -o cat -u mpp-kiosk-updater.service | sed -u 's/^/BOOTTEST updater /' &
    ( for i in $(seq 1 9000); do [ -e /var/lib/mpp-kiosk/system-update.writing ] && { say "writing started"; break; }; sleep 0.2; done ) &
    steps=$(cat /sys/firmware/qemu_fw_cfg/by_name/opt/mpp-kiosk/steps/raw 2>/dev/null || true)
    mkdir -p /run/mpp-stick
    mount -t vfat -o ro LABEL=MPPSTICK /run/mpp-stick 2>/dev/null || say "no stick: $(blkid | tr "\n" " ")"
    echo "$steps" | tr ';' '\n' | while read -r step file; do
        case "$step" in
            run)
                if [ -e "/data/boottest-$file" ]; then say "steps $file ran already"; break; fi
                touch "/data/boottest-$file"; sync ;;
            issue)
                kiosk ticket issue --service KTP-BARU 2>&1 | tail -1 | sed 's/^/BOOTTEST issue /' ;;
            refuse)
                out=$(/usr/bin/mpp-kiosk --config /etc/mpp-kiosk/config.toml system update --install "/run/mpp-stick/$file" 2>&1)
                say "refuse $file exit $? $(echo "$out" | tail -1)" ;;
            install)
                say "installing $file"
                out=$(/usr/bin/mpp-kiosk --config /etc/mpp-kiosk/config.toml system update --install "/run/mpp-stick/$file" 2>&1)
                say "install exit $? $(echo "$out" | tr '\n' ' ')" ;;
            reboot)
                say "rebooting"
                umount /run/mpp-stick 2>/dev/null || true
                systemctl reboot
                exit 0 ;;
        esac
    done
    say "done"
    # The relays above keep reporting the updater until the system goes down.
    wait
    exit 0
fi
say "devices $(ls /proc/$(systemctl show -p MainPID --value mpp-kiosk.service)/fd -l 2>/dev/null | grep -o '/dev/[a-z/]*[0-9]*' | sort -u | tr '\n' ' ')"
say "mode $(cat /sys/class/drm/card0-*/modes 2>/dev/null | head -1)"
say "ready 1"

# 2. The citizen's ticket, then the technician's doctor as the service sees it.
ticket KTB-A001
# What the live window on linuxkms uses, after drawing every screen of a citizen's path.
pid=$(systemctl show -p MainPID --value mpp-kiosk.service)
say "memory $(grep -E '^(VmHWM|VmRSS):' /proc/$pid/status 2>/dev/null | tr -s ' \t' ' ' | tr '\n' ' ')"
kiosk doctor >/tmp/doctor.txt 2>&1
status=$?
sed 's/^/BOOTTEST doctor /' /tmp/doctor.txt
say "doctor exit $status"

# 3. Portrait: rotate the kiosk 90° and move the printer to a USB-serial adapter, the way
# the technician guide says (one config key each), then restart the kiosk.
sed -i -e 's/^rotation = .*/rotation = 90/' -e 's#^uri = .*#uri = "serial:///dev/ttyUSB0?baud=19200"#' /etc/mpp-kiosk/config.toml
say "usb-serial $(ls /dev/ttyUSB* 2>/dev/null | tr '\n' ' ')"
systemctl restart mpp-kiosk.service
settle 20
journalctl -b -u mpp-kiosk.service --no-pager -o cat | grep -i "touch\|rotat" | tail -5 | sed 's/^/BOOTTEST touchlog /'
say "ready 2"
ticket KTB-A002

# 4. A hung kiosk: the watchdog must restart it.
pid=$(systemctl show -p MainPID --value mpp-kiosk.service)
kill -STOP "$pid"
say "hung $pid"
new=$pid
for i in $(seq 1 120); do
    new=$(systemctl show -p MainPID --value mpp-kiosk.service)
    if [ "$new" != "$pid" ] && [ "$new" != 0 ] && systemctl is-active -q mpp-kiosk.service; then break; fi
    sleep 1
done
say "restarted pid $new old $pid restarts $(systemctl show -p NRestarts --value mpp-kiosk.service) state $(systemctl is-active mpp-kiosk.service)"
journalctl -b -u mpp-kiosk.service --no-pager -o short-monotonic | tail -40 | sed 's/^/BOOTTEST journal /'
say "done"
