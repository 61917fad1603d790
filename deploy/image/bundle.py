#!/usr/bin/env python3
"""System update bundles (docs/system-updates.md): write one from a root file system, a kernel
and an initrd, or take one apart. The format is mpp_domain::update's:

    mpp-kiosk-update 1\\n
    {manifest as one line of JSON}\\n
    the root, the kernel and the initrd, back to back

    bundle.py write VERSION ROOT KERNEL INITRD OUT
    bundle.py parts BUNDLE DIR       (writes DIR/root, DIR/kernel, DIR/initrd)
"""
import datetime
import hashlib
import json
import os
import sys

MAGIC = b"mpp-kiosk-update 1\n"
KINDS = ["root", "kernel", "initrd"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write(version, root, kernel, initrd, out):
    files = [root, kernel, initrd]
    parts = [{"kind": k, "size": os.path.getsize(p), "sha256": sha256(p)} for k, p in zip(KINDS, files)]
    built = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = {"version": version, "built_utc": built, "parts": parts}
    with open(out, "wb") as o:
        o.write(MAGIC + json.dumps(manifest, separators=(",", ":")).encode() + b"\n")
        for p in files:
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    o.write(chunk)
    return manifest


def read(path):
    """The manifest and the offset of the first part."""
    with open(path, "rb") as f:
        head = f.read(16384)
    if not head.startswith(MAGIC):
        raise ValueError(f"{path}: not an update bundle")
    end = head.index(b"\n", len(MAGIC))
    return json.loads(head[len(MAGIC):end]), end + 1


def parts(path, out_dir):
    manifest, offset = read(path)
    os.makedirs(out_dir, exist_ok=True)
    with open(path, "rb") as f:
        f.seek(offset)
        for part in manifest["parts"]:
            left = part["size"]
            with open(os.path.join(out_dir, part["kind"]), "wb") as o:
                while left:
                    chunk = f.read(min(left, 1 << 20))
                    o.write(chunk)
                    left -= len(chunk)
    return manifest


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "write":
        m = write(*sys.argv[2:])
        print(f"bundle {m['version']}: {sum(p['size'] for p in m['parts'])} bytes of parts")
    elif len(sys.argv) == 4 and sys.argv[1] == "parts":
        parts(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
