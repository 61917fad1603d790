# Sourced by the image's QEMU tests (boot-test.sh, speech-test.sh, update-test.sh): the
# checks they share. Sets $emupos; needs $name (the test's name, for its messages).
# Skips the test (exit 0) where QEMU is missing, unless CI is set: CI must not pass
# without having booted the image.
if ! command -v qemu-system-x86_64 >/dev/null; then
    if [ -n "${CI:-}" ] && [ "${CI}" != false ]; then
        echo "$name: qemu-system-x86_64 missing (apt install qemu-system-x86 ovmf)" >&2
        exit 1
    fi
    echo "$name: SKIPPED: qemu-system-x86_64 not installed (apt install qemu-system-x86 ovmf)"
    exit 0
fi
emupos="${MPP_EMUPOS:-.venv-emu/bin/emupos}"
[ -x "$emupos" ] || { echo "$name: the printer emulator $emupos is missing (bash .ci/setup installs it)" >&2; exit 2; }
