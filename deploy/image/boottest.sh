#!/bin/sh
# Runs inside the image only when the kernel command line has mpp-kiosk.boottest (the
# boot test adds it): reports the kiosk's state to the serial port, then hangs the kiosk
# (SIGSTOP) and reports whether systemd's watchdog restarted it.
# The serial login prompt would hang up the port under us: the test owns ttyS0.
systemctl stop serial-getty@ttyS0.service 2>/dev/null || true
exec >/dev/ttyS0 2>&1
say() { echo "BOOTTEST $*"; }
for i in $(seq 1 180); do systemctl is-active -q mpp-kiosk.service && break; sleep 1; done
pid=$(systemctl show -p MainPID --value mpp-kiosk.service)
say "kiosk $(systemctl is-active mpp-kiosk.service) pid $pid watchdog $(systemctl show -p WatchdogUSec --value mpp-kiosk.service)"
sleep 20
say "drawn"
sleep 5
kill -STOP "$pid"
say "hung $pid"
new=$pid
for i in $(seq 1 120); do
    new=$(systemctl show -p MainPID --value mpp-kiosk.service)
    if [ "$new" != "$pid" ] && [ "$new" != 0 ] && systemctl is-active -q mpp-kiosk.service; then break; fi
    sleep 1
done
say "restarted pid $new restarts $(systemctl show -p NRestarts --value mpp-kiosk.service) state $(systemctl is-active mpp-kiosk.service)"
journalctl -b -u mpp-kiosk.service --no-pager -o short-monotonic | tail -25 | sed 's/^/BOOTTEST journal /'
say "done"
