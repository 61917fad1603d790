//! System updates without a boot loader: bundles signed by the real `minisign`, checked by
//! the real binary, installed into slots that are plain files and an ESP that is a folder,
//! and the status read through every turn of systemd-boot's counting (as its renames leave
//! the entries). The booted version of all this is the image's QEMU scenario.

use std::fs;
use std::path::{Path, PathBuf};

use mpp_domain::update::{Manifest, Part, PartKind, Slot, UpdateResult};
use mpp_kiosk::system::bundle::{self, hex};
use mpp_kiosk::system::install;
use mpp_kiosk::system::status::{self, Layout};
use mpp_kiosk::system::{SystemConfig, SystemError};
use sha2::{Digest, Sha256};

use crate::support::Kiosk;
use crate::sync::{Keys, keypair, minisign_available, sign};

const NOW: &str = "2026-12-07T02:00:00Z";

/// Deterministic bytes standing in for a part.
fn bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed as u32).to_le_bytes()[1]).collect()
}

struct Bundle {
    path: PathBuf,
    sig: String,
    root: Vec<u8>,
    kernel: Vec<u8>,
}

fn make_bundle(dir: &Path, keys: &Keys, version: &str, root_len: usize) -> Bundle {
    fs::create_dir_all(dir).unwrap();
    let root = bytes(1, root_len);
    let kernel = bytes(2, 100_000);
    let initrd = bytes(3, 250_000);
    let part = |kind, b: &[u8]| Part { kind, size: b.len() as u64, sha256: hex(&Sha256::digest(b)) };
    let m = Manifest {
        version: version.into(),
        built_utc: NOW.parse().unwrap(),
        parts: vec![part(PartKind::Root, &root), part(PartKind::Kernel, &kernel), part(PartKind::Initrd, &initrd)],
    };
    let mut file = m.header();
    file.extend(&root);
    file.extend(&kernel);
    file.extend(&initrd);
    let path = dir.join(format!("mpp-kiosk-{version}.update"));
    fs::write(&path, &file).unwrap();
    let sig = String::from_utf8(sign(keys, dir, &file)).unwrap();
    fs::write(install::beside(&path, ".minisig"), &sig).unwrap();
    Bundle { path, sig, root, kernel }
}

/// A kiosk running slot A with version 1.0, slot B holding 0xEE, a blessed entry for A.
fn kiosk_on_a(dir: &Path, slot_bytes: usize) -> Layout {
    fs::create_dir_all(dir).unwrap();
    let l = Layout {
        slot_a: dir.join("slot-a"),
        slot_b: dir.join("slot-b"),
        esp: dir.join("esp"),
        state_dir: dir.join("data"),
        cmdline: dir.join("cmdline"),
        release: dir.join("release"),
        boot_id: dir.join("boot_id"),
    };
    fs::write(&l.slot_a, vec![0xAA; slot_bytes]).unwrap();
    fs::write(&l.slot_b, vec![0xEE; slot_bytes]).unwrap();
    fs::create_dir_all(l.esp.join("loader/entries")).unwrap();
    fs::create_dir_all(&l.state_dir).unwrap();
    fs::write(
        l.esp.join("loader/entries/mpp-kiosk-0001-a.conf"),
        "title mpp-kiosk 1.0 (slot A)\nversion 1.0\nlinux /mpp/a/vmlinuz\ninitrd /mpp/a/initrd.img\noptions root=PARTLABEL=kiosk-root-a rootfstype=squashfs ro mpp.slot=a quiet console=ttyS0,115200\n",
    )
    .unwrap();
    boot(&l, Slot::A, "1.0", "boot-1");
    l
}

fn boot(l: &Layout, slot: Slot, version: &str, id: &str) {
    fs::write(
        &l.cmdline,
        format!("BOOT_IMAGE=/mpp/{s}/vmlinuz root=PARTLABEL=kiosk-root-{s} ro mpp.slot={s} quiet\n", s = slot.as_str()),
    )
    .unwrap();
    fs::write(&l.release, format!("{version}\n")).unwrap();
    fs::write(&l.boot_id, id).unwrap();
}

fn entry_names(l: &Layout) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(l.esp.join("loader/entries"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn rename_entry(l: &Layout, from: &str, to: &str) {
    let d = l.esp.join("loader/entries");
    fs::rename(d.join(from), d.join(to)).unwrap();
}

fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

fn verify(b: &Bundle, keys: &Keys) -> Result<Manifest, SystemError> {
    bundle::verify(&b.path, &b.sig, std::slice::from_ref(&keys.public), 1 << 30, &mut |_, _| {})
}

fn install_into(l: &Layout, b: &Bundle, keys: &Keys) -> Result<install::Installed, SystemError> {
    let m = verify(b, keys)?;
    let (_, header_len) = bundle::manifest(&b.path)?;
    let running = status::running(l)?;
    let job = install::Job { bundle: &b.path, manifest: &m, header_len, running, tries: 3 };
    install::install(l, &job, now(), &mut |_, _| {})
}

#[test]
fn an_update_goes_to_the_other_slot_boots_with_tries_and_is_running_once_blessed() {
    let Some(()) = minisign_available() else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = keypair(dir.path(), "release");
    let l = kiosk_on_a(dir.path(), 4 << 20);
    let b = make_bundle(dir.path(), &keys, "2.0", 3 << 20);

    let done = install_into(&l, &b, &keys).unwrap();
    assert_eq!((done.slot, done.entry.as_str()), (Slot::B, "mpp-kiosk-0002-b+3.conf"));
    let slot_b = fs::read(&l.slot_b).unwrap();
    assert_eq!(&slot_b[..b.root.len()], &b.root[..], "the root file system, raw, at the slot's start");
    assert_eq!(fs::read(&l.slot_a).unwrap(), vec![0xAA; 4 << 20], "the running slot is untouched");
    assert_eq!(fs::read(l.esp.join("mpp/b/vmlinuz")).unwrap(), b.kernel);
    let entry = fs::read_to_string(l.esp.join("loader/entries").join(&done.entry)).unwrap();
    assert!(
        entry.contains(
            "options root=PARTLABEL=kiosk-root-b rootfstype=squashfs ro mpp.slot=b quiet console=ttyS0,115200"
        ),
        "{entry}"
    );
    assert!(entry.contains("version 2.0"));

    let r = status::report(&l, now()).unwrap();
    assert_eq!((r.slot, r.version.as_str(), r.other_version.as_deref()), (Slot::A, "1.0", Some("2.0")));
    assert_eq!(r.last.as_ref().unwrap().result, UpdateResult::Installed);

    // systemd-boot starts B and counts a try; the kiosk is not up yet: still installed.
    rename_entry(&l, "mpp-kiosk-0002-b+3.conf", "mpp-kiosk-0002-b+2-1.conf");
    boot(&l, Slot::B, "2.0", "boot-2");
    assert_eq!(status::report(&l, now()).unwrap().last.unwrap().result, UpdateResult::Installed);
    // systemd-bless-boot, once the kiosk is up.
    rename_entry(&l, "mpp-kiosk-0002-b+2-1.conf", "mpp-kiosk-0002-b.conf");
    let r = status::report(&l, now()).unwrap();
    assert_eq!((r.slot, r.version.as_str(), r.other_version.as_deref()), (Slot::B, "2.0", Some("1.0")));
    assert_eq!(r.last.unwrap().result, UpdateResult::Running);

    // The next update goes back to A, with a higher generation; B's entry stays.
    let b3 = make_bundle(dir.path(), &keys, "3.0", 1 << 20);
    let done = install_into(&l, &b3, &keys).unwrap();
    assert_eq!(done.entry, "mpp-kiosk-0003-a+3.conf");
    assert_eq!(entry_names(&l), ["mpp-kiosk-0002-b.conf", "mpp-kiosk-0003-a+3.conf"]);

    // Its tries are spent (it crashes at start); the boot loader goes back to B.
    rename_entry(&l, "mpp-kiosk-0003-a+3.conf", "mpp-kiosk-0003-a+0-3.conf");
    boot(&l, Slot::B, "2.0", "boot-6");
    let r = status::report(&l, now()).unwrap();
    assert_eq!(r.last.as_ref().map(|l| (l.version.as_str(), &l.result)), Some(("3.0", &UpdateResult::FellBack)));
    assert_eq!(r.other_version, None, "a slot that failed holds nothing bootable");
    // The failure is kept even when the entries change again.
    fs::remove_file(l.esp.join("loader/entries/mpp-kiosk-0003-a+0-3.conf")).unwrap();
    assert_eq!(status::report(&l, now()).unwrap().last.unwrap().result, UpdateResult::FellBack);
}

#[test]
fn a_changed_byte_another_key_or_a_short_file_is_refused_before_anything_is_written() {
    let Some(()) = minisign_available() else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = keypair(dir.path(), "release");
    let other = keypair(dir.path(), "stranger");
    let b = make_bundle(dir.path(), &keys, "2.0", 2 << 20);
    let k = Kiosk::new();
    let cfg = k.write("keyed.toml", &format!("[sync]\npublic_key = \"{}\"\n", keys.public));
    let path = b.path.to_str().unwrap();

    let out = k.run_with_config(&cfg, &["system", "update", "--check", path]).ok();
    assert!(out.contains("version 2.0") && out.contains("SHA-256 good"), "{out}");

    let mut changed = fs::read(&b.path).unwrap();
    let at = changed.len() - 300_000;
    changed[at] ^= 1;
    let bad = dir.path().join("changed.update");
    fs::write(&bad, &changed).unwrap();
    let run = k.run_with_config(
        &cfg,
        &["system", "update", "--check", bad.to_str().unwrap(), "--signature", &format!("{path}.minisig")],
    );
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("refused") && run.stderr().contains("kernel part's SHA-256"), "{}", run.stderr());

    let foreign = make_bundle(&dir.path().join("x"), &other, "2.0", 1 << 20);
    let run = k.run_with_config(&cfg, &["system", "update", "--check", foreign.path.to_str().unwrap()]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("does not trust"), "{}", run.stderr());

    let short = dir.path().join("short.update");
    fs::write(&short, &fs::read(&b.path).unwrap()[..1_000_000]).unwrap();
    let run = k.run_with_config(
        &cfg,
        &["system", "update", "--check", short.to_str().unwrap(), "--signature", &format!("{path}.minisig")],
    );
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("its manifest says"), "{}", run.stderr());

    let run = k.run(&["system", "update", "--check", path]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("no trusted key"), "{}", run.stderr());

    // And the library refuses the same before writing: the slots stay as they were.
    let l = kiosk_on_a(&dir.path().join("k"), 4 << 20);
    let tampered = Bundle { path: bad, sig: b.sig.clone(), root: b.root.clone(), kernel: b.kernel.clone() };
    assert!(matches!(install_into(&l, &tampered, &keys), Err(SystemError::Hash { part: "kernel", .. })));
    assert_eq!(fs::read(&l.slot_b).unwrap(), vec![0xEE; 4 << 20]);
    assert_eq!(entry_names(&l), ["mpp-kiosk-0001-a.conf"]);
}

#[test]
fn a_slot_too_small_or_a_bundle_changed_while_writing_never_becomes_bootable() {
    let Some(()) = minisign_available() else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = keypair(dir.path(), "release");
    let l = kiosk_on_a(&dir.path().join("k"), 1 << 20);
    fs::write(l.esp.join("loader/entries/mpp-kiosk-0001-b.conf"), "version 0.9\n").unwrap();
    let big = make_bundle(dir.path(), &keys, "2.0", 2 << 20);
    let err = install_into(&l, &big, &keys).unwrap_err();
    assert!(matches!(err, SystemError::Bundle { .. }) && err.to_string().contains("slot is too small"), "{err}");
    assert_eq!(entry_names(&l), ["mpp-kiosk-0001-a.conf"], "the other slot's old entry went before writing");
    let r = status::report(&l, now()).unwrap();
    assert!(matches!(r.last.unwrap().result, UpdateResult::Failed { ref reason } if reason.contains("too small")));

    // Verified, then changed on disk before the writing (a hostile or failing medium).
    let l = kiosk_on_a(&dir.path().join("k2"), 4 << 20);
    let b = make_bundle(dir.path(), &keys, "2.1", 2 << 20);
    let m = verify(&b, &keys).unwrap();
    let (_, header_len) = bundle::manifest(&b.path).unwrap();
    let mut f = fs::read(&b.path).unwrap();
    f[header_len + 10] ^= 0xFF;
    fs::write(&b.path, f).unwrap();
    let job = install::Job { bundle: &b.path, manifest: &m, header_len, running: Slot::A, tries: 3 };
    let err = install::install(&l, &job, now(), &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, SystemError::Hash { part: "root", .. }), "{err}");
    assert_eq!(entry_names(&l), ["mpp-kiosk-0001-a.conf"]);
}

#[test]
fn a_write_cut_off_by_a_power_cut_is_reported_after_the_reboot() {
    let dir = tempfile::tempdir().unwrap();
    let l = kiosk_on_a(dir.path(), 1 << 20);
    // What install leaves while it writes: the marker, no entry for B.
    fs::write(l.state_dir.join("system-update.writing"), r#"{"version":"2.0","boot_id":"boot-1"}"#).unwrap();
    let r = status::report(&l, now()).unwrap();
    assert_eq!(r.last, None, "still writing, in this very boot");
    boot(&l, Slot::A, "1.0", "boot-2");
    let r = status::report(&l, now()).unwrap();
    let last = r.last.unwrap();
    assert_eq!(last.version, "2.0");
    assert_eq!(last.result, UpdateResult::Interrupted);
    assert_eq!(r.other_version, None);

    // Published for the kiosk's health report.
    let again = status::report(&l, now()).unwrap();
    status::publish(&l.state_dir, &again).unwrap();
    assert_eq!(status::published(&l.state_dir), Some(again));
    let _ = SystemConfig::default();
}
