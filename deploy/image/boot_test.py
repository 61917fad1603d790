#!/usr/bin/env python3
"""The kiosk image, end to end, as a citizen and a technician meet it.

Boots the flashed disk image under QEMU (software emulation, UEFI through OVMF and
systemd-boot) with a touch device (virtio-tablet, absolute like a touch panel), the
printer emulator (emupos) on the second serial port and on a USB-serial adapter, and:

  1. taps the citizen's path welcome -> agency -> service -> take a number -> regular queue
     at the centres of the real buttons (read from the compiled UI by the tap-targets
     example, not typed by hand), checks the done screen and the slip that reached the
     serial printer: the number, the service, the QR code (zbarimg);
  2. reads the technician's `doctor` from inside the image over the serial console;
  3. rotates the kiosk 90 degrees and moves the printer to the USB-serial adapter, as the
     technician guide says, and taps the same path where the turned picture shows it;
  4. hangs the kiosk and checks that systemd's watchdog restarts it.

  deploy/image/boot_test.py --image target/image --targets targets.json --emupos .venv-emu/bin/emupos

Screendumps of every step land in IMAGE/boot-test/ (PNG). Every process it starts is
stopped when it ends, also on failure. Exit 0 when every check held.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

T0 = time.monotonic()


def log(msg):
    print(f"boot-test: [{time.monotonic() - T0:5.0f} s] {msg}", flush=True)


class Failed(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_png(path, width, height, rgb):
    """RGB bytes to a PNG (no imaging library on a fresh machine)."""
    raw = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def read_ppm(path):
    data = open(path, "rb").read()
    magic, dims, maxval, px = data.split(b"\n", 3)
    w, h = map(int, dims.split())
    return w, h, px


class Qmp:
    """QEMU's machine protocol on a unix socket: screendumps and input events."""

    def __init__(self, path):
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise Failed(f"QMP socket {path} never opened")
                time.sleep(0.2)
        self.buf = b""
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Failed("QEMU closed its QMP socket")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        self.sock.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        while True:
            msg = self._read()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise Failed(f"QMP {name}: {msg['error']}")

    def tap(self, x, y, width, height):
        # The tablet reports 0..32767 across the screen; libinput scales it back.
        ax, ay = int((x + 0.5) * 32768 / width), int((y + 0.5) * 32768 / height)
        move = [{"type": "abs", "data": {"axis": "x", "value": ax}}, {"type": "abs", "data": {"axis": "y", "value": ay}}]
        self.cmd("input-send-event", events=move)
        time.sleep(0.1)
        self.cmd("input-send-event", events=[{"type": "btn", "data": {"down": True, "button": "left"}}])
        time.sleep(0.15)
        self.cmd("input-send-event", events=[{"type": "btn", "data": {"down": False, "button": "left"}}])

    def screendump(self, ppm):
        self.cmd("screendump", filename=ppm)
        for _ in range(50):
            if os.path.exists(ppm) and os.path.getsize(ppm) > 0:
                break
            time.sleep(0.1)
        time.sleep(0.3)
        return read_ppm(ppm)


def changed_share(a, b):
    """The share of pixels (every 13th) that differ between two RGB frames."""
    step = 3 * 13
    n = min(len(a), len(b)) // step
    return sum(a[i * step:i * step + 3] != b[i * step:i * step + 3] for i in range(n)) / max(n, 1)


def fills_screen(px, w, h):
    """Whether the kiosk drew out to the screen's right and bottom edges: a picture scaled
    into a corner leaves the rest of the framebuffer black (it did, on 1280x800)."""
    edge = [px[(y * w + x) * 3:(y * w + x) * 3 + 3] for y in range(0, h, 7) for x in range(0, w, 7)
            if x > w * 0.85 or y > h * 0.85]
    return sum(p == b"\0\0\0" for p in edge) < 0.5 * len(edge)


def on_screen(x, y, ui_w, ui_h, degrees):
    """Where the window's point (x, y) is on the physical screen when Slint turns the
    picture clockwise by `degrees` ("to the right"): the finger goes where the eye sees it."""
    if degrees == 90:
        return ui_h - 1 - y, x
    if degrees == 270:
        return y, ui_w - 1 - x
    if degrees == 180:
        return ui_w - 1 - x, ui_h - 1 - y
    return x, y


class Run:
    def __init__(self, args, out=None):
        self.args = args
        self.image = os.path.realpath(args.image)
        if out is None:
            self.out = os.path.join(self.image, "boot-test")
            shutil.rmtree(self.out, ignore_errors=True)
        else:
            self.out = out  # the caller's folder: kept as it is
        os.makedirs(self.out, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="mpp-boot-test-")
        self.procs = []
        self.serial = os.path.join(self.out, "serial.log")
        self.shots = []

    # -- processes -------------------------------------------------------------------------
    def start(self, argv, **kw):
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(10)
                except Exception:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the printer emulator ----------------------------------------------------------------
    def start_printers(self):
        self.api = free_port()
        self.ports = {"serial": free_port(), "usb": free_port()}
        devices = "".join(
            f"  - id: {name}\n    type: printer\n    profile: epson-tm-t20iii\n"
            f"    connections: [{{tcp: {{host: 127.0.0.1, port: {port}}}}}]\n"
            f"    job_idle_timeout_ms: 1500\n    receipts_dir: ./receipts-{name}\n"
            for name, port in self.ports.items())
        cfg = os.path.join(self.tmp, "emupos.yaml")
        open(cfg, "w").write(f"schema: 1\napi: {{host: 127.0.0.1, port: {self.api}}}\ndevices:\n{devices}")
        self.emu_log = open(os.path.join(self.out, "emupos.log"), "w")
        self.start([self.args.emupos, "run", "--config", cfg], cwd=self.tmp, stdout=self.emu_log, stderr=subprocess.STDOUT)
        for port in self.ports.values():
            self.wait_port(port, 30, "the printer emulator")

    def wait_port(self, port, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise Failed(f"{what} is not listening on port {port}")

    def receipts(self, name):
        d = os.path.join(self.tmp, f"receipts-{name}")
        return sorted(f[:-5] for f in os.listdir(d) if f.endswith(".json")) if os.path.isdir(d) else []

    def wait_receipt(self, name, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ids = self.receipts(name)
            if ids:
                time.sleep(0.5)  # the .txt and .png land beside the .json
                base = os.path.join(self.tmp, f"receipts-{name}", ids[-1])
                return open(base + ".txt", encoding="utf-8", errors="replace").read(), base + ".png"
            self.check_alive()
            time.sleep(1)
        raise Failed(f"no slip reached the {name} printer in {seconds} s")

    # -- QEMU ----------------------------------------------------------------------------------
    def boot(self, flag="mpp-kiosk.boottest", extra=(), config_extra="", fresh=True, nic="none"):
        ovmf_code, ovmf_vars = "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"
        for f in (ovmf_code, ovmf_vars):
            if not os.path.exists(f):
                raise Failed(f"{f} missing (apt install ovmf)")
        disk = os.path.join(self.tmp, "disk.img")
        # fresh=False: the disk as the last boot left it (the update test's reboots).
        if fresh:
            subprocess.run(["cp", "--sparse=always", os.path.join(self.image, "mpp-kiosk.img"), disk], check=True)
            shutil.copy(ovmf_vars, os.path.join(self.tmp, "vars.fd"))
            # The test's boot entry: the kiosk's, plus the flag that enables boottest.sh and no
            # time sync (the guest's clock is pinned, and there is no network anyway).
            env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
            # The boot menu cannot be edited from a keyboard (init=/bin/sh would be root).
            loader = os.path.join(self.tmp, "loader.conf")
            subprocess.run(["mcopy", "-n", "-i", disk + "@@1M", "::/loader/loader.conf", loader], check=True, env=env)
            if "editor no" not in open(loader).read().split("\n"):
                raise Failed("loader.conf lets a keyboard edit the boot entry: 'editor no' is missing")
            # Slot A's entry (the image's only one; its name carries the A/B generation).
            names = subprocess.run(["mdir", "-b", "-i", disk + "@@1M", "::/loader/entries"], check=True, env=env,
                                   capture_output=True, text=True).stdout.split()
            names = [os.path.basename(n) for n in names if os.path.basename(n).startswith("mpp-kiosk-")]
            if len(names) != 1:
                raise Failed(f"the image should have one boot entry, slot A's: {names}")
            entry_name = names[0]
            entry = os.path.join(self.tmp, "entry.conf")
            subprocess.run(["mcopy", "-n", "-i", disk + "@@1M", f"::/loader/entries/{entry_name}", entry], check=True, env=env)
            text = open(entry).read()
            text = "\n".join(l + f" {flag} systemd.mask=systemd-timesyncd.service" if l.startswith("options ") else l
                             for l in text.splitlines()) + "\n"
            open(entry, "w").write(text)
            subprocess.run(["mcopy", "-o", "-i", disk + "@@1M", entry, f"::/loader/entries/{entry_name}"], check=True, env=env)
        # The kiosk's config for the test: kiosk 1, a serial printer at 19200 baud, a QR URL.
        cfg = os.path.join(self.tmp, "config.toml")
        open(cfg, "w").write(
            '[kiosk]\nid = 1\nlanguage = "id"\n\n[display]\nrotation = 0\n\n[printer]\n'
            'uri = "serial:///dev/ttyS1?baud=19200"\npaper = "80mm"\n'
            'qr_url = "https://mpp.example.go.id/antrean/{number}"\ntimeout_ms = 3000\n' + config_extra)
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        argv = [
            "qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", "max", "-smp", "2", "-m", "1536",
            "-drive", f"if=pflash,format=raw,readonly=on,file={ovmf_code}",
            "-drive", f"if=pflash,format=raw,file={os.path.join(self.tmp, 'vars.fd')}",
            "-drive", f"file={disk},format=raw,if=virtio",
            "-vga", "std", "-display", "none",
            "-device", "virtio-tablet-pci",
            # ttyS0: the serial console the guest reports on; ttyS1: the serial printer.
            "-serial", f"file:{self.serial}",
            "-serial", f"tcp:127.0.0.1:{self.ports['serial']}",
            # A USB-serial adapter (FTDI) wired to the second emulated printer.
            "-device", "qemu-xhci",
            "-chardev", f"socket,id=usbprinter,host=127.0.0.1,port={self.ports['usb']}",
            "-device", "usb-serial,chardev=usbprinter",
            "-fw_cfg", f"name=opt/mpp-kiosk/config.toml,file={cfg}",
            "-rtc", f"base={self.args.at.rstrip('Z')}",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
            "-nic", nic,
            *extra,
        ]
        self.qemu_log = open(os.path.join(self.out, "qemu.log"), "w")
        self.qemu = self.start(argv, stdout=self.qemu_log, stderr=subprocess.STDOUT)
        self.qmp = Qmp(self.qmp_path)

    def check_alive(self):
        if self.qemu.poll() is not None:
            raise Failed(f"QEMU exited ({self.qemu.returncode}): {open(os.path.join(self.out, 'qemu.log')).read()[-2000:]}")

    def serial_text(self):
        try:
            return open(self.serial, encoding="utf-8", errors="replace").read()
        except FileNotFoundError:
            return ""

    def wait_for(self, marker, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in self.serial_text().splitlines():
                # A login prompt or a kernel message may share the line.
                at = line.find("BOOTTEST " + marker)
                if at >= 0:
                    return line[at:]
            self.check_alive()
            time.sleep(1)
        tail = "\n".join(self.serial_text().splitlines()[-40:])
        raise Failed(f"waited {seconds} s for 'BOOTTEST {marker}'; the serial console ends:\n{tail}")

    def shot(self, name):
        ppm = os.path.join(self.tmp, name + ".ppm")
        w, h, px = self.qmp.screendump(ppm)
        png = os.path.join(self.out, name + ".png")
        write_png(png, w, h, px)
        self.shots.append(png)
        return w, h, px

    def check_ticket(self, printer, number, shot):
        """The slip on `printer`, the done screen still up, and the ledger: printed."""
        self.check_slip(printer, number)
        self.shot_done(shot)
        line = self.wait_for(f"ticket {number}", 120)
        if "printed" not in line.split(number, 1)[1]:
            raise Failed(f"the ledger says: {line}")

    def shot_done(self, name):
        """The done screen, drawn: the number stays up after the slip is out."""
        w, h, px = self.shot(name)
        if len({px[i:i + 3] for i in range(0, len(px), 3 * 97)}) < 4:
            raise Failed(f"the screen is blank after the slip was printed ({name}.png)")

    # -- the citizen's path ------------------------------------------------------------------
    def walk(self, walk, degrees, phase):
        ui_w, ui_h = walk["width"], walk["height"]
        w, h, px = self.shot(f"{phase}-0-welcome")
        expect = (ui_h, ui_w) if degrees in (90, 270) else (ui_w, ui_h)
        if (w, h) != expect:
            raise Failed(f"the screen is {w}x{h}; the taps were computed for {expect[0]}x{expect[1]} (rotation {degrees})")
        if len({px[i:i + 3] for i in range(0, len(px), 3 * 97)}) < 8:
            raise Failed("the screen is blank: the kiosk drew nothing")
        if not fills_screen(px, w, h):
            raise Failed(f"the kiosk drew into a corner of the {w}x{h} screen, not all of it ({phase}-0-welcome.png)")
        for i, tap in enumerate(walk["taps"], 1):
            sx, sy = on_screen(tap["x"], tap["y"], ui_w, ui_h, degrees)
            log(f"tap {i}: {tap['label']!r} on the {tap['screen']} screen at window ({tap['x']:.0f}, {tap['y']:.0f}), screen ({sx:.0f}, {sy:.0f})")
            before = self.qmp.screendump(os.path.join(self.tmp, "before.ppm"))[2]
            self.qmp.tap(sx, sy, w, h)
            # The software renderer under emulation takes a moment to draw the next screen.
            # A new screen changes much of the picture; the clock ticking changes a sliver.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                time.sleep(1.5)
                if changed_share(before, self.qmp.screendump(os.path.join(self.tmp, "after.ppm"))[2]) > 0.05:
                    break
            else:
                self.shot(f"{phase}-{i}-unchanged")
                raise Failed(f"tap {i} ({tap['label']!r}) changed nothing on the screen: the kiosk does not answer touch")
            time.sleep(1.5)
            self.shot(f"{phase}-{i}-after-{tap['screen'].lower()}")

    def check_slip(self, printer, number):
        text, png = self.wait_receipt(printer, 120)
        shutil.copy(png, os.path.join(self.out, f"slip-{printer}.png"))
        open(os.path.join(self.out, f"slip-{printer}.txt"), "w").write(text)
        for needle in (number, "KTP-el", "MPP"):
            if needle not in text:
                raise Failed(f"the slip on the {printer} printer lacks {needle!r}:\n{text}")
        qr = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True).stdout.strip()
        if qr != f"https://mpp.example.go.id/antrean/{number}":
            raise Failed(f"the slip's QR code reads {qr!r}")
        log(f"slip {number} on the {printer} printer, QR {qr}")

    def run(self):
        with open(self.args.targets) as f:
            targets = json.load(f)
        walks = targets["walks"]
        if len(walks) != 2 or targets["at"] != self.args.at:
            raise Failed(f"{self.args.targets}: expected two walks computed at {self.args.at}")
        self.start_printers()
        self.boot()
        log("booting (UEFI, systemd-boot, Debian) under software emulation")
        log(self.wait_for("kiosk", 400))
        log(self.wait_for("clock", 30))
        servers = self.wait_for("time servers", 10)
        log(servers)
        if "NTP=" not in servers or "pool.ntp.org" not in servers:
            raise Failed(f"the image sets no time servers for timesyncd ({servers})")
        self.wait_for("ready 1", 240)
        devices = self.wait_for("devices", 5)
        log(devices)
        if "/dev/input/event" not in devices:
            raise Failed(f"the kiosk holds no input device: it cannot see a touch ({devices})")
        log(self.wait_for("mode", 5))

        log("phase 1: the citizen's path, landscape, serial printer")
        self.walk(walks[0], 0, "1")
        self.check_ticket("serial", "KTB-A001", "1-done")
        log(self.wait_for("memory", 60))
        log(self.wait_for("doctor exit", 180))
        doctor = [l[len("BOOTTEST doctor "):] for l in self.serial_text().splitlines()
                  if l.startswith("BOOTTEST doctor ") and not l.startswith("BOOTTEST doctor exit")]
        open(os.path.join(self.out, "doctor.txt"), "w").write("\n".join(doctor) + "\n")
        log("doctor inside the image:\n    " + "\n    ".join(doctor))
        for want in ("database", "printer", "touch"):
            rows = [l for l in doctor if want in l.lower()]
            if not rows:
                raise Failed(f"doctor said nothing about {want}")
        bad = [l for l in doctor if any(w in l.lower() for w in ("touch", "printer")) and ("fail" in l.lower() or "no touch" in l.lower())]
        if bad:
            raise Failed(f"doctor inside the image reports: {bad}")

        log("phase 2: rotated 90 degrees, USB-serial printer")
        log(self.wait_for("usb-serial", 60))
        self.wait_for("ready 2", 240)
        self.walk(walks[1], 90, "2")
        self.check_ticket("usb", "KTB-A002", "2-done")

        log("phase 3: a hung kiosk is restarted by the watchdog")
        line = self.wait_for("restarted", 180)
        log(line)
        parts = line.split()
        new, old = parts[parts.index("pid") + 1], parts[parts.index("old") + 1]
        if new == old or not line.endswith("state active"):
            raise Failed(f"the hung kiosk was not restarted: {line}")
        self.wait_for("done", 60)
        log(f"passed in {time.monotonic() - T0:.0f} s; screendumps in {self.out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", default="target/image", help="the folder of mpp-kiosk.img (deploy/image/build.sh)")
    ap.add_argument("--targets", required=True, help="JSON from `cargo run --example tap-targets`")
    ap.add_argument("--emupos", required=True, help="the printer emulator's binary")
    ap.add_argument("--at", default="2026-11-30T01:05:00Z", help="the guest's clock (UTC); the targets must be computed at it")
    args = ap.parse_args()
    args.emupos = os.path.realpath(args.emupos)
    if not os.path.exists(os.path.join(args.image, "mpp-kiosk.img")):
        print(f"boot-test: no {args.image}/mpp-kiosk.img: run deploy/image/build.sh first", file=sys.stderr)
        return 2
    # A SIGTERM (a CI timeout, Ctrl+C's cousin) still stops QEMU and the emulator.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run = Run(args)
    try:
        run.run()
        return 0
    except (Failed, OSError, subprocess.CalledProcessError) as e:
        print(f"boot-test: FAILED after {time.monotonic() - T0:.0f} s: {e}", file=sys.stderr)
        print(f"boot-test: serial console, screendumps and logs in {run.out}", file=sys.stderr)
        return 1
    finally:
        run.stop_all()


if __name__ == "__main__":
    sys.exit(main())
