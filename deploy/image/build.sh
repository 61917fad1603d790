#!/usr/bin/env bash
# Builds a bootable x86-64 kiosk disk image from Debian 12 and the mpp-kiosk .deb:
#
#   sudo TECHNICIAN_PASSWORD=… deploy/image/build.sh SITE-CONFIG.toml [OUTDIR]
#
# SITE-CONFIG.toml becomes /etc/mpp-kiosk/config.toml (see deploy/config/config.toml).
# Output in OUTDIR (default target/image): mpp-kiosk.img.zst (write it with
# `bmaptool copy mpp-kiosk.img.zst /dev/sdX` using mpp-kiosk.img.bmap, or
# `zstd -dc mpp-kiosk.img.zst | dd of=/dev/sdX bs=4M conv=fsync`), mpp-kiosk.img.bmap and
# SHA256SUMS. The raw image stays too, for the QEMU boot test (deploy/image/boot-test.sh).
# Beside it the system update bundle, mpp-kiosk-VERSION.update (docs/system-updates.md),
# signed into .update.minisig when UPDATE_KEY names a minisign secret key made with -W (no
# password). SYSTEM_VERSION names the version (default: the .deb's version and the build's
# UTC time).
#
# The disk (GPT, UEFI), laid out for A/B updates:
#   esp          systemd-boot, each slot's kernel and initrd (mpp/a/, mpp/b/), one boot entry
#                per slot with boot counting (mpp-kiosk-NNNN-S[+tries].conf)
#   kiosk-root-a the root file system: squashfs, mounted read-only (nothing can change it by
#                accident or with the kiosk's rights, and an update writes a slot whole and
#                checks its hash)
#   kiosk-root-b the same size, empty until the first update
#   kioskdata    ext4 at /data: the kiosk's state (/var/lib/mpp-kiosk: database, outbox,
#                credential, slips), its config (/etc/mpp-kiosk), the journal (/var/log),
#                systemd's state and local udev rules, bound into place; nothing the kiosk
#                writes lives on a root slot
# No Docker, no KVM, no loop devices, no mounting: debootstrap, mksquashfs, mkfs -d, mtools,
# sfdisk. Needs root (debootstrap, chroot) and: debootstrap dosfstools mtools fdisk
# systemd-boot-efi bmap-tools zstd squashfs-tools minisign (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

site_config="${1:?usage: deploy/image/build.sh SITE-CONFIG.toml [OUTDIR]}"
out="${2:-target/image}"
mirror="${MIRROR:-http://deb.debian.org/debian}"
[ -f "$site_config" ] || { echo "build: $site_config: no such file" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "build: run as root (debootstrap and chroot need it)" >&2; exit 2; }

need=(debootstrap dosfstools mtools fdisk systemd-boot-efi bmap-tools zstd squashfs-tools minisign)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The site config must be one the kiosk accepts: check it before spending minutes.
deb=$(ls -t target/debian/mpp-kiosk_*_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || { echo "build: no target/debian/mpp-kiosk_*.deb: run 'cargo deb --features kiosk' first" >&2; exit 2; }
if [ -x target/release/mpp-kiosk ]; then
    target/release/mpp-kiosk --config "$site_config" --db "$(mktemp -d)/check.sqlite3" doctor --json >/dev/null 2>&1 || true
    target/release/mpp-kiosk --config "$site_config" --db "$(mktemp -d)/check.sqlite3" sync status >/dev/null 2>&1 || {
        echo "build: $site_config is refused by the kiosk:" >&2
        target/release/mpp-kiosk --config "$site_config" --db "$(mktemp -d)/check.sqlite3" sync status >&2 || true
        exit 2
    }
fi

mkdir -p "$out"
work="$out/work"
rm -rf "$work"
mkdir -p "$work"
root="$work/root"
t0=$(date +%s)
log() { echo "build: [$(( $(date +%s) - t0 ))s] $*"; }

log "debootstrap (minbase, bookworm) from $mirror"
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; exit 1; }

cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
echo kiosk >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 kiosk\n' >"$root/etc/hosts"
cp "$deb" "$root/tmp/mpp-kiosk.deb"
# The root is read-only (squashfs, mounted by the initrd); what is written goes to the data
# partition or to memory. nofail: a kiosk whose data partition is broken still boots to
# where a technician can log in and run doctor.
cat >"$root/etc/fstab" <<'EOF'
LABEL=kioskdata     /data                ext4   defaults,noatime,nofail          0 2
/data/state         /var/lib/mpp-kiosk   none   bind,nofail,x-systemd.requires-mounts-for=/data  0 0
/data/etc           /etc/mpp-kiosk       none   bind,nofail,x-systemd.requires-mounts-for=/data  0 0
/data/log           /var/log             none   bind,nofail,x-systemd.requires-mounts-for=/data  0 0
/data/systemd       /var/lib/systemd     none   bind,nofail,x-systemd.requires-mounts-for=/data  0 0
/data/udev-rules    /etc/udev/rules.d    none   bind,nofail,x-systemd.requires-mounts-for=/data  0 0
LABEL=KIOSKESP      /boot/efi            vfat   umask=0077,noatime,nofail        0 2
tmpfs               /tmp                 tmpfs  mode=1777,nosuid,nodev           0 0
tmpfs               /var/tmp             tmpfs  mode=1777,nosuid,nodev           0 0
EOF
# The initrd mounts the squashfs root.
mkdir -p "$root/etc/initramfs-tools"
echo squashfs >>"$root/etc/initramfs-tools/modules"

log "kernel, systemd and the kiosk inside the root"
mount_chroot() { mount -t proc proc "$root/proc"; mount -t sysfs sys "$root/sys"; mount --bind /dev "$root/dev"; }
umount_chroot() { umount "$root/dev" "$root/sys" "$root/proc" 2>/dev/null || true; }
trap umount_chroot EXIT
mount_chroot
chroot "$root" /bin/sh -ec '
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends linux-image-amd64 systemd-sysv udev dbus kmod \
        iproute2 systemd-timesyncd initramfs-tools less >/dev/null
    # systemd-bless-boot (and its generator): a new slot counts as good once the kiosk is up.
    apt-get install -y -qq --no-install-recommends systemd-boot >/dev/null
    apt-get install -y -qq --no-install-recommends /tmp/mpp-kiosk.deb >/dev/null
    # The speech mode: its synthesizer and the ALSA player (aplay), no sound server.
    apt-get install -y -qq --no-install-recommends espeak-ng alsa-utils >/dev/null
    rm /tmp/mpp-kiosk.deb
    # The unit of the package must load cleanly on the target system.
    systemd-analyze verify /usr/lib/systemd/system/mpp-kiosk.service
    systemctl enable mpp-kiosk.service systemd-timesyncd.service systemd-networkd.service >/dev/null
    systemctl mask getty@tty1.service >/dev/null
    # Only the kiosk decides whether a new slot is good (mpp-kiosk-boot-ok.service), not
    # "no unit failed": an unrelated unit must not send a kiosk back to its old system.
    systemctl mask systemd-boot-check-no-failures.service >/dev/null 2>&1 || true
    # The network by systemd-networkd (it writes only under /run), names by systemd-resolved:
    # installed last, as it points /etc/resolv.conf at /run and the chroot loses DNS.
    apt-get install -y -qq --no-install-recommends systemd-resolved >/dev/null
    systemctl enable systemd-resolved.service >/dev/null
    # The kiosk works offline and must not wait for a network (the unit orders itself after
    # network-online.target): waiting online would hold its first frame up to 2 minutes.
    systemctl mask systemd-networkd-wait-online.service >/dev/null
    apt-get clean
' >"$work/chroot.log" 2>&1 || { tail -30 "$work/chroot.log"; exit 1; }
umount_chroot
trap - EXIT

kiosk_gid=$(chroot "$root" getent group mpp-kiosk | cut -d: -f3)
kiosk_uid=$(chroot "$root" getent passwd mpp-kiosk | cut -d: -f3)
deb_version=$(dpkg-deb -f "$deb" Version)
version="${SYSTEM_VERSION:-${deb_version}+$(date -u +%Y%m%d%H%M)}"
case "$version" in
    ""|.*|*[!A-Za-z0-9.+_~-]*) echo "build: SYSTEM_VERSION $version: letters, digits and .+-_~ only" >&2; exit 2 ;;
esac
install -D -m 644 /dev/null "$root/usr/lib/mpp-kiosk/system-version"
echo "$version" >"$root/usr/lib/mpp-kiosk/system-version"
log "system version $version"
# Each kiosk makes its own machine id at its first boot (the root is read-only: systemd keeps
# it in memory), instead of every kiosk sharing the build's.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
# A new slot is good once the kiosk is up; without it in time, the kiosk reboots and
# systemd-boot spends another try (then falls back to the old slot).
install -D -m 755 deploy/image/boot-ok.sh "$root/usr/local/lib/mpp-kiosk/boot-ok.sh"
install -m 644 deploy/image/mpp-kiosk-boot-ok.service "$root/etc/systemd/system/mpp-kiosk-boot-ok.service"
mkdir -p "$root/etc/systemd/system/boot-complete.target.requires"
ln -sf /etc/systemd/system/mpp-kiosk-boot-ok.service "$root/etc/systemd/system/boot-complete.target.requires/mpp-kiosk-boot-ok.service"
# The updater: offered bundles from the site server into the other slot, restarted when quiet.
install -m 644 deploy/image/mpp-kiosk-updater.service "$root/etc/systemd/system/mpp-kiosk-updater.service"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/mpp-kiosk-updater.service "$root/etc/systemd/system/multi-user.target.wants/mpp-kiosk-updater.service"
# Time: public NTP first, then the site's hub (its host from [sync] upload_url; the hub's
# machine serves NTP to the lobby, docs/technician-guide.md §9): an MPP's network often
# blocks the internet's NTP, and a kiosk whose clock drifts issues tickets with wrong times.
# The hub corrects each kiosk's offset as well; this keeps the offset small to begin with.
hub_host=$(sed -n 's/^[[:space:]]*upload_url[[:space:]]*=[[:space:]]*"[a-z]*:\/\/\([^/:"]*\).*/\1/p' "$site_config" | head -1)
time_servers="${TIME_SERVERS:-0.id.pool.ntp.org 1.id.pool.ntp.org 2.id.pool.ntp.org${hub_host:+ $hub_host}}"
mkdir -p "$root/etc/systemd/timesyncd.conf.d"
printf '# Written by deploy/image/build.sh: public NTP, then the hub.\n[Time]\nNTP=%s\nFallbackNTP=%s\n' \
    "$time_servers" "${hub_host:-time.cloudflare.com}" >"$root/etc/systemd/timesyncd.conf.d/mpp-kiosk.conf"
log "time from: $time_servers"
# Wired network by DHCP (most MPP kiosks); Wi-Fi is configured by the technician.
mkdir -p "$root/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >"$root/etc/systemd/network/20-wired.network"
# The technician's login on tty2 (Ctrl+Alt+F2): root, with the password given at build
# time in TECHNICIAN_PASSWORD; without it root stays locked (no login at all). One password
# on every kiosk of a province falls with the first kiosk: TECHNICIAN_PASSWORD=random makes
# one for this image alone, kept in OUTDIR/technician-password.txt (0600) for the site's
# records.
if [ "${TECHNICIAN_PASSWORD:-}" = random ]; then
    TECHNICIAN_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | cut -c1-14)
    (umask 077; printf '%s\n' "$TECHNICIAN_PASSWORD" >"$out/technician-password.txt")
    log "a random technician password for this image: $out/technician-password.txt"
fi
if [ -n "${TECHNICIAN_PASSWORD:-}" ]; then
    echo "root:$TECHNICIAN_PASSWORD" | chroot "$root" chpasswd
    log "root login on tty2 enabled (TECHNICIAN_PASSWORD)"
else
    log "no TECHNICIAN_PASSWORD: root stays locked, no console login"
fi
printf 'kernel.printk = 3 3 3 3\n' >"$root/etc/sysctl.d/10-kiosk-quiet.conf"
# The boot test's probe: inert unless the kernel command line has mpp-kiosk.boottest.
install -D -m 755 deploy/image/boottest.sh "$root/usr/local/lib/mpp-kiosk/boottest.sh"
install -m 644 deploy/image/boottest.service "$root/etc/systemd/system/mpp-kiosk-boottest.service"
ln -sf /etc/systemd/system/mpp-kiosk-boottest.service "$root/etc/systemd/system/multi-user.target.wants/mpp-kiosk-boottest.service"

kernel=$(ls "$root"/boot/vmlinuz-* | head -1)
initrd=$(ls "$root"/boot/initrd.img-* | head -1)
log "kernel $(basename "$kernel")"

# The data partition's tree, and the root's mount points for it. What the packages put in
# the bound folders is carried over (the journal's catalogue, systemd's state).
data="$work/data"
mkdir -p "$data/state" "$data/etc" "$data/log/journal" "$data/systemd" "$data/udev-rules" "$data/update"
cp -a "$root/etc/mpp-kiosk/." "$data/etc/"
cp -a "$root/var/log/." "$data/log/"
cp -a "$root/var/lib/systemd/." "$data/systemd/"
cp -a "$root/etc/udev/rules.d/." "$data/udev-rules/" 2>/dev/null || true
install -m 640 "$site_config" "$data/etc/config.toml"
chgrp "$kiosk_gid" "$data/etc/config.toml"
chown "$kiosk_uid:$kiosk_gid" "$data/state"
chmod 750 "$data/state"
chmod 700 "$data/update"
rm -rf "$root/var/lib/mpp-kiosk"
mkdir -p "$root/var/lib/mpp-kiosk" "$root/data" "$root/boot/efi" "$root/etc/udev/rules.d"

log "file systems"
# A slot holds the squashfs with room to grow; the data partition a downloaded bundle too.
esp_mb=256; slot_mb=1024; data_mb=1024
# (ACL xattrs, which squashfs cannot hold, are left out with a warning per file: filtered.)
mksquashfs "$root" "$work/root.sqfs" -comp zstd -noappend -quiet -no-progress 2>&1 >/dev/null | { grep -v "Unrecognised xattr prefix system.posix_acl" >&2 || true; }
root_bytes=$(stat -c %s "$work/root.sqfs")
[ "$root_bytes" -le $((slot_mb * 1024 * 1024)) ] || { echo "build: the root ($root_bytes bytes) is larger than a slot (${slot_mb} MiB)" >&2; exit 1; }
log "root: squashfs $((root_bytes / 1024 / 1024)) MiB of a ${slot_mb} MiB slot"
mkfs.ext4 -q -F -L kioskdata -d "$data" "$work/data.ext4" "${data_mb}M"
rm -f "$work/esp.vfat"
mkfs.vfat -n KIOSKESP -C "$work/esp.vfat" $((esp_mb * 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
m() { mmd -i "$work/esp.vfat" "$@"; }
m ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries ::/mpp ::/mpp/a ::/mpp/b
mcopy -i "$work/esp.vfat" /usr/lib/systemd/boot/efi/systemd-bootx64.efi ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$work/esp.vfat" "$kernel" ::/mpp/a/vmlinuz
mcopy -i "$work/esp.vfat" "$initrd" ::/mpp/a/initrd.img
# editor no: a USB keyboard in the lobby must not edit the kernel command line
# (init=/bin/sh is a root shell); auto-firmware no: no "reboot into firmware" entry.
# No default: systemd-boot boots the first entry in its order, the newest slot's while it
# has tries left (docs/system-updates.md).
printf 'timeout 0\nconsole-mode keep\neditor no\nauto-firmware no\n' >"$work/loader.conf"
# Slot A's entry, already good (no counter). consoleblank=0: the display never blanks;
# console=ttyS0 last so boot messages reach the serial port of the boot test while tty1
# stays the kiosk's. An update copies these options to the other slot's entry.
printf 'title mpp-kiosk %s (slot A)\nversion %s\nlinux /mpp/a/vmlinuz\ninitrd /mpp/a/initrd.img\noptions root=PARTLABEL=kiosk-root-a rootfstype=squashfs ro mpp.slot=a quiet consoleblank=0 console=tty1 console=ttyS0,115200\n' \
    "$version" "$version" >"$work/entry.conf"
mcopy -i "$work/esp.vfat" "$work/loader.conf" ::/loader/loader.conf
mcopy -i "$work/esp.vfat" "$work/entry.conf" ::/loader/entries/mpp-kiosk-0001-a.conf

log "disk image (GPT: ESP, root A, root B, data)"
img="$out/mpp-kiosk.img"
total_mb=$((1 + esp_mb + 2 * slot_mb + data_mb + 1))
rm -f "$img"
truncate -s "${total_mb}M" "$img"
sfdisk -q "$img" <<EOF
label: gpt
start=1MiB, size=${esp_mb}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp
size=${slot_mb}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=kiosk-root-a
size=${slot_mb}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=kiosk-root-b
size=${data_mb}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=kioskdata
EOF
dd if="$work/esp.vfat" of="$img" bs=1M seek=1 conv=notrunc status=none
dd if="$work/root.sqfs" of="$img" bs=1M seek=$((1 + esp_mb)) conv=notrunc status=none
dd if="$work/data.ext4" of="$img" bs=1M seek=$((1 + esp_mb + 2 * slot_mb)) conv=notrunc status=none
# The kernel and initrd also beside the image, for the boot test's direct kernel boot.
cp "$kernel" "$out/vmlinuz"
cp "$initrd" "$out/initrd.img"

# The update bundle: header (magic, manifest) and the three parts back to back.
log "update bundle $version"
bundle="$out/mpp-kiosk-$version.update"
rm -f "$out"/mpp-kiosk-*.update "$out"/mpp-kiosk-*.update.minisig
python3 deploy/image/bundle.py write "$version" "$work/root.sqfs" "$kernel" "$initrd" "$bundle" >/dev/null
rm -f "$bundle.minisig"
if [ -n "${UPDATE_KEY:-}" ]; then
    minisign -S -s "$UPDATE_KEY" -m "$bundle" -t "mpp-kiosk system $version" >/dev/null </dev/null
    log "bundle signed: $bundle.minisig"
else
    log "no UPDATE_KEY: the bundle is not signed (kiosks refuse it until it is: minisign -S -m $bundle)"
fi

log "compress, bmap, checksums"
bmaptool -q create "$img" >"$out/mpp-kiosk.img.bmap"
zstd -q -T0 -f -3 "$img" -o "$out/mpp-kiosk.img.zst"
(cd "$out" && sha256sum mpp-kiosk.img mpp-kiosk.img.zst mpp-kiosk.img.bmap >SHA256SUMS)
rm -rf "$work"
log "done: $out/mpp-kiosk.img.zst ($(du -h "$out/mpp-kiosk.img.zst" | cut -f1)), $out/mpp-kiosk.img.bmap, $out/SHA256SUMS, $bundle ($(du -h "$bundle" | cut -f1))"
