#!/usr/bin/env python3
"""The speech mode on the kiosk's image, as a citizen who cannot see the screen meets it.

Boots the image under QEMU (as the boot test does) with a USB keyboard standing in for the
speech keypad, an Intel HDA sound card whose output QEMU writes to a WAV file, and the
printer emulator on the serial port; then, by keypad alone:

  Enter (starts the speech mode: the keys, the menu) -> 1 (the often chosen services)
  -> 1 (the first; its requirements read in full) -> 1 (a regular number)

After each key it listens to the sound card until the voice stops and checks that speech
was there; it waits for the slip on the emulated printer and checks, in the captured
sound, that the number said (twice) is the slip's: the loudness envelope of the number's
clips (the lobby voice's letters and digits, in the repo) matches the audio at two places,
better than any other last digit would.

  deploy/image/speech_test.py --image target/image --emupos .venv-emu/bin/emupos --out DIR

The captured sound is DIR/speech.wav; screendumps and logs land in DIR too.
"""
import argparse
import os
import signal
import struct
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boot_test as bt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLIPS = os.path.join(HERE, "..", "..", "hub", "assets", "voice")
# The path: (QEMU key, what it does).
PATH = [
    ("kp_enter", "Enter: the speech mode starts, says the keys and the menu"),
    ("kp_1", "1: the often chosen services, read with their numbers"),
    ("kp_1", "1: the first of them, every requirement read"),
    ("kp_1", "1: a regular number, printed"),
]
FRAME = 0.02  # seconds per loudness frame


def log(msg):
    print(f"speech-test: [{time.monotonic() - bt.T0:5.0f} s] {msg}", flush=True)


class Capture:
    """The WAV file QEMU writes as the guest plays (its header's sizes are filled in only
    when QEMU exits: the samples are read straight after the 44-byte header)."""

    def __init__(self, path):
        self.path = path

    def fmt(self):
        """(channels, rate); QEMU writes the header when the guest first plays: waits for it."""
        deadline = time.monotonic() + 300
        while True:
            try:
                with open(self.path, "rb") as f:
                    h = f.read(44)
            except FileNotFoundError:
                h = b""
            if len(h) == 44:
                break
            if time.monotonic() > deadline:
                raise bt.Failed(f"{self.path}: the guest never played a sound (no WAV header)")
            time.sleep(0.2)
        channels, rate = struct.unpack("<HI", h[22:28])
        bits = struct.unpack("<H", h[34:36])[0]
        if bits != 16:
            raise bt.Failed(f"the capture is {bits}-bit, expected 16")
        return channels, rate

    def size(self):
        try:
            return max(os.path.getsize(self.path) - 44, 0)
        except FileNotFoundError:
            return 0

    def mono(self, start, end=None):
        """Samples from byte `start` (after the header) to `end`, channels averaged."""
        channels, rate = self.fmt()
        with open(self.path, "rb") as f:
            f.seek(44 + start)
            data = f.read((end - start) if end else -1)
        n = len(data) // (2 * channels)
        raw = struct.unpack(f"<{n * channels}h", data[:n * channels * 2])
        if channels == 1:
            return list(raw), rate
        return [sum(raw[i * channels:(i + 1) * channels]) / channels for i in range(n)], rate


def envelope(samples, rate):
    step = max(int(rate * FRAME), 1)
    return [(sum(v * v for v in samples[i:i + step]) / step) ** 0.5 for i in range(0, len(samples) - step + 1, step)]


def voiced_seconds(env, floor):
    return sum(1 for e in env if e > floor) * FRAME


def correlate(hay, needle):
    """The Pearson correlation of `needle` against every position of `hay`."""
    m = len(needle)
    if m == 0 or len(hay) < m:
        return []
    nm = sum(needle) / m
    nd = [v - nm for v in needle]
    nn = sum(v * v for v in nd) ** 0.5 or 1.0
    out = []
    for i in range(len(hay) - m + 1):
        w = hay[i:i + m]
        wm = sum(w) / m
        num = sum((a - wm) * b for a, b in zip(w, nd))
        den = (sum((a - wm) ** 2 for a in w) ** 0.5) * nn
        out.append(num / den if den else 0.0)
    return out


def number_clips(number):
    """The clips the kiosk says a number with: mpp_domain::voice::number_clips."""
    prefix, rest = number.split("-", 1)
    clips = []

    def spell(part):
        last = None
        for c in part:
            digit = c.isdigit()
            if last is not None and last != digit:
                clips.append("jeda-pendek")
            last = digit
            clips.append(f"angka-{c}" if digit else f"huruf-{c.lower()}")

    spell(prefix)
    clips.append("jeda-pendek")
    spell(rest)
    return clips


def clip_envelope(number):
    samples = []
    for name in number_clips(number):
        with wave.open(os.path.join(CLIPS, name + ".wav")) as w:
            n = w.getnframes()
            samples.extend(struct.unpack(f"<{n}h", w.readframes(n)))
    return envelope(samples, 22050)


def two_peaks(scores, width):
    """The best two places at least `width` apart: [(score, at), (score, at)]."""
    if not scores:
        return [(0.0, 0), (0.0, 0)]
    best = max(range(len(scores)), key=scores.__getitem__)
    rest = [i for i in range(len(scores)) if abs(i - best) >= width]
    second = max(rest, key=scores.__getitem__) if rest else best
    return [(scores[best], best), (scores[second], second)]


class SpeechRun(bt.Run):
    def key(self, qcode):
        # The machine has no PS/2 keyboard (i8042=off): QEMU's keyboard events go to the only
        # keyboard there is, the USB one standing in for the keypad.
        for down in (True, False):
            self.qmp.cmd("input-send-event",
                         events=[{"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}])
            time.sleep(0.08)

    def new_receipt(self, name, before, seconds):
        """The text of the first slip on printer `name` not in `before`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            new = [r for r in self.receipts(name) if r not in before]
            if new:
                time.sleep(0.5)  # the .txt lands beside the .json
                base = os.path.join(self.tmp, f"receipts-{name}", new[0])
                return open(base + ".txt", encoding="utf-8", errors="replace").read()
            self.check_alive()
            time.sleep(0.5)
        raise bt.Failed(f"no slip reached the {name} printer in {seconds} s")

    def listen(self, since, seconds, quiet=2.5):
        """Waits for sound after byte `since`, then until the voice has been silent (or the
        file still) for `quiet` seconds. Returns (start of sound in s after now, end byte)."""
        t0 = time.monotonic()
        deadline = t0 + seconds
        first = None
        last_size, still_since = self.capture.size(), time.monotonic()
        channels, rate = self.capture.fmt()
        bps = 2 * channels * rate
        while time.monotonic() < deadline:
            self.check_alive()
            time.sleep(0.25)
            size = self.capture.size()
            if size != last_size:
                last_size, still_since = size, time.monotonic()
            if first is None and size > since:
                tail, _ = self.capture.mono(since, size)
                if any(abs(v) > 300 for v in tail):
                    first = time.monotonic() - t0
            if first is not None:
                still = time.monotonic() - still_since > quiet
                recent, _ = self.capture.mono(max(since, size - int(quiet * bps) // (2 * channels) * (2 * channels)), size)
                silent = size - since > quiet * bps and max((abs(v) for v in recent), default=0) < 200
                if still or silent:
                    return first, size
        raise bt.Failed(f"no end of speech within {seconds} s (sound started: {first is not None})")

    def run(self):
        self.start_printers()
        self.wav = os.path.join(self.out, "speech.wav")
        self.capture = Capture(self.wav)
        self.boot(
            flag="mpp-kiosk.boottest=speech",
            extra=["-machine", "i8042=off", "-device", "usb-kbd,id=keypad",
                   "-audiodev", f"wav,id=snd,path={self.wav}",
                   "-device", "ich9-intel-hda", "-device", "hda-output,audiodev=snd"],
            config_extra='\n[speech]\nkeypad = "/dev/mpp-keypad"\n')
        log("booting (UEFI, systemd-boot, Debian) under software emulation")
        log(self.wait_for("kiosk", 400))
        keypad = self.wait_for("keypad", 300)
        log(keypad)
        if "/dev/input/event" not in keypad:
            raise bt.Failed(f"the udev rule named no keypad: {keypad}")
        sound = self.wait_for("sound", 30)
        log(sound)
        if "card" not in sound:
            raise bt.Failed(f"the image sees no sound card: {sound}")
        self.wait_for("speech devices", 240)
        # libinput holds every input device open anyway: the kiosk's own word that it
        # opened (and grabbed) the keypad is what counts.
        opened = [l for l in self.serial_text().splitlines() if "BOOTTEST speechlog" in l and "speech keypad on" in l]
        if not opened:
            raise bt.Failed("the kiosk's journal never says 'speech keypad on /dev/mpp-keypad'")
        log(opened[-1][opened[-1].find("BOOTTEST"):])
        doctor = self.wait_for("doctor-speech", 120)
        log(doctor)
        if "FAIL" in doctor or "speech" not in doctor:
            raise bt.Failed(f"doctor inside the image finds the speech mode broken: {doctor}")
        self.wait_for("ready speech", 60)
        w, h, px = self.shot("speech-0-welcome")
        if not bt.fills_screen(px, w, h):
            raise bt.Failed(f"the kiosk drew into a corner of the {w}x{h} screen")
        started = time.monotonic()
        heard = []
        for i, (qcode, what) in enumerate(PATH, 1):
            since = self.capture.size()
            # What the firmware wrote to the printer's port at boot is not a slip.
            before = set(self.receipts("serial"))
            t = time.monotonic()
            self.key(qcode)
            log(f"key {i} ({qcode}): {what}")
            if i == len(PATH):
                text = self.new_receipt("serial", before, 240)
                slip_at = time.monotonic() - t
            first, end = self.listen(since, 300)
            samples, rate = self.capture.mono(since, end)
            env = envelope(samples, rate)
            voiced = voiced_seconds(env, 300)
            log(f"  speech {first:.2f} s after the key (host clock), {voiced:.1f} s voiced of {len(samples) / rate:.1f} s")
            if voiced < 0.3:
                raise bt.Failed(f"key {i} ({qcode}) was not answered by speech ({voiced:.2f} s voiced)")
            heard.append((qcode, first, voiced, len(samples) / rate))
            self.shot(f"speech-{i}-{qcode}")
        total = time.monotonic() - started
        audio = sum(h[3] for h in heard)
        log(f"slip after {slip_at:.1f} s on the serial printer; {audio:.0f} s of speech from the first key to the end "
            f"of the number ({total:.0f} s with this test's waits for silence after each)")
        number = next((w for w in text.split() if "-" in w and w.split("-")[0].isalpha() and w[-1].isdigit()), None)
        if not number:
            raise bt.Failed(f"no number on the slip:\n{text}")
        open(os.path.join(self.out, "slip.txt"), "w").write(text)

        # The number said is the slip's, twice: the loudness envelope of its clips against
        # the sound after the last key, and against the same number with any other digit
        # anywhere (digits are told apart by their envelopes; letters too alike, "be" and
        # "ge", are checked sample for sample by tests/it/speech.rs instead).
        samples, rate = self.capture.mono(since, end)
        hay = envelope(samples, rate)
        candidates = {number[:i] + d + number[i + 1:] for i, c in enumerate(number) if c.isdigit() for d in "0123456789"}
        scores = {}
        for cand in candidates:
            needle = clip_envelope(cand)
            scores[cand] = two_peaks(correlate(hay, needle), len(needle))
        (best1, at1), (best2, at2) = scores[number]
        others, other = max((v[0][0], c) for c, v in scores.items() if c != number)
        log(f"the number {number}: matched at {at1 * FRAME:.1f} s ({best1:.3f}) and {at2 * FRAME:.1f} s ({best2:.3f}); "
            f"the best other digits {other} {others:.3f} (of {len(candidates) - 1})")
        if min(best1, best2) < 0.75 or min(best1, best2) < others + 0.02:
            raise bt.Failed(f"the number said is not the slip's {number} twice: {best1:.3f}, {best2:.3f}, {other} {others:.3f}")
        self.wait_for("done", 120)
        latencies = [l.split("first sound", 1)[1].strip() for l in self.serial_text().splitlines() if "BOOTTEST latency" in l]
        log("inside the guest, key to first sound: " + ", ".join(latencies))
        for l in self.serial_text().splitlines():
            if "BOOTTEST speecherr" in l:
                log(l)
        summary = (f"speech-test: passed: {len(PATH)} keys each answered by speech, slip {number} printed, "
                   f"the number heard twice (match {min(best1, best2):.2f} vs {others:.2f}), "
                   f"{audio:.0f} s of speech from the first key to the number's end, audio in {self.wav}")
        return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", default="target/image")
    ap.add_argument("--emupos", required=True)
    ap.add_argument("--out", required=True, help="where the captured WAV, screendumps and logs go")
    ap.add_argument("--at", default="2026-11-30T01:05:00Z", help="the guest's clock (UTC)")
    args = ap.parse_args()
    args.emupos = os.path.realpath(args.emupos)
    if not os.path.exists(os.path.join(args.image, "mpp-kiosk.img")):
        print(f"speech-test: no {args.image}/mpp-kiosk.img: run deploy/image/build.sh first", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.makedirs(args.out, exist_ok=True)
    run = SpeechRun(args, out=os.path.realpath(args.out))
    try:
        summary = run.run()
        print(summary, flush=True)
        return 0
    except (bt.Failed, OSError) as e:
        print(f"speech-test: FAILED after {time.monotonic() - bt.T0:.0f} s: {e}", file=sys.stderr)
        print(f"speech-test: serial console, screendumps and sound in {run.out}", file=sys.stderr)
        return 1
    finally:
        run.stop_all()


if __name__ == "__main__":
    sys.exit(main())
