#!/bin/sh
# Run by mpp-kiosk-boot-ok.service while a new slot is being tried: exits 0 once the kiosk is
# up (its service active, the same process 10 s later), 1 when it is not within 3 minutes or
# has been restarted 3 times without coming up (a kiosk that crashes at start), so systemd
# reboots and systemd-boot spends a try.
for i in $(seq 1 180); do
    if systemctl is-active -q mpp-kiosk.service; then
        pid=$(systemctl show -p MainPID --value mpp-kiosk.service)
        sleep 10
        if systemctl is-active -q mpp-kiosk.service && [ "$(systemctl show -p MainPID --value mpp-kiosk.service)" = "$pid" ]; then
            echo "mpp-kiosk is up (pid $pid): a good boot"
            exit 0
        fi
    fi
    if [ "$(systemctl show -p NRestarts --value mpp-kiosk.service)" -ge 3 ]; then
        echo "mpp-kiosk was restarted 3 times without coming up: not a good boot" >&2
        exit 1
    fi
    sleep 1
done
echo "mpp-kiosk did not come up in 3 minutes: not a good boot" >&2
exit 1
