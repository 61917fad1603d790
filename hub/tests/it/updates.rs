//! System updates through the hub: a bundle signed by the real `minisign` is added by the
//! administrator's command, rolled out to a pilot kiosk then to all, paused, and served
//! only to the kiosks it is offered to, with their credentials; what kiosks report of
//! their slots arrives through their own health report (the kiosk's sync round) and the
//! fleet page shows it, a failed update included.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mpp_domain::update::{LastUpdate, Manifest, Part, PartKind, Slot, SystemReport, UpdateResult};
use sha2::{Digest, Sha256};

use crate::browser::add_staff;
use crate::report::{get, session};
use crate::support::{Hub, KioskLedger, SITE, hub_command};

const NOW: &str = "2026-12-07T02:00:00Z";

fn admin(hub: &Hub, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mpp-hub"))
        .arg("--config")
        .arg(hub.dir.path().join("hub.toml"))
        .args(args)
        .env("MPP_HUB_DATABASE_URL", &hub.database)
        .env("MPP_HUB_NOW", NOW)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[track_caller]
fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A bundle of `version` with made-up parts, signed; (its path, the public key).
fn bundle(dir: &Path, version: &str) -> (PathBuf, String) {
    bundle_of(dir, version, 300_000)
}

fn bundle_of(dir: &Path, version: &str, part_len: u32) -> (PathBuf, String) {
    let run = |c: &mut Command| {
        let out = c.output().expect("minisign (Debian package minisign; .ci/setup installs it)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let (public, secret) = (dir.join("release.pub"), dir.join("release.key"));
    if !public.exists() {
        run(Command::new("minisign").args(["-G", "-W", "-p"]).arg(&public).arg("-s").arg(&secret));
    }
    let parts: Vec<Vec<u8>> =
        (1..=3u8).map(|seed| (0..part_len).map(|i| (i.wrapping_mul(31) as u8) ^ seed).collect()).collect();
    let m = Manifest {
        version: version.into(),
        built_utc: NOW.parse().unwrap(),
        parts: PartKind::ORDER
            .iter()
            .zip(&parts)
            .map(|(&kind, b)| Part {
                kind,
                size: b.len() as u64,
                sha256: mpp_kiosk::system::bundle::hex(&Sha256::digest(b)),
            })
            .collect(),
    };
    let mut file = m.header();
    parts.iter().for_each(|p| file.extend(p));
    let path = dir.join(format!("mpp-kiosk-{version}.update"));
    std::fs::write(&path, &file).unwrap();
    run(Command::new("minisign").args(["-S", "-s"]).arg(&secret).arg("-m").arg(&path));
    let key = std::fs::read_to_string(&public).unwrap().lines().nth(1).unwrap().trim().to_owned();
    (path, key)
}

/// A kiosk's GET with its credential: (status, body bytes).
fn fetch(hub: &Hub, path: &str, token: &str) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent.get(&hub.url(path)).header("Authorization", &format!("Bearer {token}")).call().unwrap();
    (r.status().as_u16(), r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap())
}

/// The kiosk's updater publishes its slots; its next sync round reports them.
fn report(hub: &Hub, k: &mut KioskLedger, number: u8, token: &str, r: SystemReport) {
    mpp_kiosk::system::status::publish(k.dir.path(), &r).unwrap();
    let cfg = k.sync_config(hub, token);
    let round = mpp_kiosk::sync::round(&mut k.store, &cfg, SITE, number, NOW.parse().unwrap());
    assert!(round.uploaded.is_ok(), "{:?}", round.uploaded);
}

fn system(slot: Slot, version: &str, last: Option<(&str, UpdateResult)>) -> SystemReport {
    SystemReport {
        slot,
        version: version.into(),
        other_version: None,
        last: last.map(|(v, result)| LastUpdate { version: v.into(), result, at_utc: NOW.parse().unwrap() }),
        progress: None,
    }
}

#[test]
fn a_bundle_goes_to_the_pilot_then_to_all_pauses_and_a_failure_shows_on_the_fleet_page() {
    let store = tempfile::tempdir().unwrap();
    let made = tempfile::tempdir().unwrap();
    let hub = Hub::start_at_with(NOW, &format!("[updates]\ndir = \"{}\"\n", store.path().display()));
    let token2 =
        ok(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"])).trim().to_owned();
    let (file, key) = bundle(made.path(), "2.0");

    // Not whole: refused, naming the file.
    let short = made.path().join("short.update");
    std::fs::write(&short, &std::fs::read(&file).unwrap()[..500_000]).unwrap();
    std::fs::copy(format!("{}.minisig", file.display()), format!("{}.minisig", short.display())).unwrap();
    let out = admin(&hub, &["update", "add", short.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not whole"), "{}", String::from_utf8_lossy(&out.stderr));

    assert!(ok(admin(&hub, &["update", "add", file.to_str().unwrap()])).contains("bundle 2.0"));
    let out = admin(&hub, &["update", "rollout", "--site", SITE, "--version", "9.9", "--all"]);
    assert_eq!(out.status.code(), Some(2), "a version not held");
    ok(admin(&hub, &["update", "rollout", "--site", SITE, "--version", "2.0", "--pilot", "1"]));

    let (mut k1, mut k2) = (KioskLedger::new(), KioskLedger::new());
    report(&hub, &mut k1, 1, &hub.token, system(Slot::A, "1.0", None));
    report(&hub, &mut k2, 2, &token2, system(Slot::A, "1.0", None));

    let (status, offer) = fetch(&hub, "/api/v1/kiosk/update", &hub.token);
    assert_eq!(status, 200);
    let offer: serde_json::Value = serde_json::from_slice(&offer).unwrap();
    assert_eq!(offer["version"], "2.0");
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &token2).0, 204, "the pilot first");
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update/2.0", &token2).0, 404, "nor its bytes");
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update/2.0", "mpk1.x.y").0, 401);

    // The pilot downloads it, and its own check accepts what the hub served.
    let (status, bytes) = fetch(&hub, offer["path"].as_str().unwrap(), &hub.token);
    assert_eq!((status, bytes.len() as u64), (200, offer["size"].as_u64().unwrap()));
    let got = made.path().join("downloaded.update");
    std::fs::write(&got, &bytes).unwrap();
    let m =
        mpp_kiosk::system::bundle::verify(&got, offer["signature"].as_str().unwrap(), &[key], 1 << 30, &mut |_, _| {})
            .unwrap();
    assert_eq!(m.version, "2.0");

    // It runs 2.0: nothing more for it; then every kiosk.
    report(&hub, &mut k1, 1, &hub.token, system(Slot::B, "2.0", Some(("2.0", UpdateResult::Running))));
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &hub.token).0, 204);
    ok(admin(&hub, &["update", "rollout", "--site", SITE, "--version", "2.0", "--all"]));
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &token2).0, 200);
    ok(admin(&hub, &["update", "pause", "--site", SITE]));
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &token2).0, 204, "paused");
    ok(admin(&hub, &["update", "resume", "--site", SITE]));
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &token2).0, 200);

    // Kiosk 2 could not start it and fell back: not offered again, and the page says so.
    report(&hub, &mut k2, 2, &token2, system(Slot::A, "1.0", Some(("2.0", UpdateResult::FellBack))));
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &token2).0, 204);
    add_staff(&hub, "kepala", "supervisor");
    let (status, page, _) = get(&hub, "/fleet", Some(&session(&hub, "kepala")));
    assert_eq!(status, 200);
    assert!(page.contains("Pembaruan sistem: versi 2.0 ditawarkan ke semua kiosk"), "{page}");
    assert!(page.contains("2.0 · slot B"), "kiosk 1 runs 2.0 in slot B: {page}");
    assert!(page.contains("gagal menyala, kembali ke versi lama"), "{page}");
    assert!(page.contains("Pembaruan sistem 2.0 gagal menyala"), "the alert: {page}");
}

/// A kiosk on slot A with version 1.0 (slots are files, the ESP a folder), its state folder
/// the ledger's (so its sync round reports what the updater publishes).
fn kiosk_on_a(k: &KioskLedger) -> mpp_kiosk::system::status::Layout {
    let dir = k.dir.path();
    let l = mpp_kiosk::system::status::Layout {
        slot_a: dir.join("slot-a"),
        slot_b: dir.join("slot-b"),
        esp: dir.join("esp"),
        state_dir: dir.to_owned(),
        cmdline: dir.join("cmdline"),
        release: dir.join("release"),
        boot_id: dir.join("boot_id"),
    };
    std::fs::write(&l.slot_a, vec![0xAA; 1 << 20]).unwrap();
    std::fs::write(&l.slot_b, vec![0xEE; 1 << 20]).unwrap();
    std::fs::create_dir_all(l.esp.join("loader/entries")).unwrap();
    std::fs::write(
        l.esp.join("loader/entries/mpp-kiosk-0001-a.conf"),
        "title mpp-kiosk 1.0 (slot A)\nversion 1.0\nlinux /mpp/a/vmlinuz\ninitrd /mpp/a/initrd.img\noptions root=PARTLABEL=kiosk-root-a ro mpp.slot=a\n",
    )
    .unwrap();
    std::fs::write(&l.cmdline, "root=PARTLABEL=kiosk-root-a ro mpp.slot=a quiet\n").unwrap();
    std::fs::write(&l.release, "1.0\n").unwrap();
    std::fs::write(&l.boot_id, "boot-1\n").unwrap();
    l
}

#[test]
fn the_kiosks_updater_refuses_a_changed_bundle_then_installs_the_offered_one_into_the_other_slot() {
    use mpp_kiosk::updater::{Round, Updater};
    let store = tempfile::tempdir().unwrap();
    let made = tempfile::tempdir().unwrap();
    let hub = Hub::start_at_with(NOW, &format!("[updates]\ndir = \"{}\"\n", store.path().display()));
    let (good, key) = bundle(made.path(), "2.0");
    // 2.1 changed by one byte after it was signed: whole, so the hub (which holds no key)
    // takes it; the kiosk must refuse it before writing anything.
    let (changed, _) = bundle(made.path(), "2.1");
    let mut bytes = std::fs::read(&changed).unwrap();
    let at = bytes.len() - 400_000;
    bytes[at] ^= 0x01;
    std::fs::write(&changed, &bytes).unwrap();
    for f in [&good, &changed] {
        ok(admin(&hub, &["update", "add", f.to_str().unwrap()]));
    }

    let mut k = KioskLedger::new();
    let layout = kiosk_on_a(&k);
    let mut sync = k.sync_config(&hub, &hub.token);
    sync.public_key = Some(key);
    let updater = Updater { layout: layout.clone(), system: Default::default(), sync: sync.clone() };
    let now: jiff::Timestamp = NOW.parse().unwrap();
    assert_eq!(updater.round(now).unwrap(), Round::Nothing, "no rollout yet");
    let sync_round = |k: &mut KioskLedger| {
        let r = mpp_kiosk::sync::round(&mut k.store, &sync, SITE, 1, now);
        assert!(r.uploaded.is_ok(), "{:?}", r.uploaded);
    };
    sync_round(&mut k);

    ok(admin(&hub, &["update", "rollout", "--site", SITE, "--version", "2.1", "--all"]));
    match updater.round(now).unwrap() {
        Round::Refused { version, reason } => {
            assert_eq!(version, "2.1");
            assert!(reason.contains("SHA-256") || reason.contains("signature"), "{reason}");
        }
        other => panic!("a changed bundle was not refused: {other:?}"),
    }
    assert_eq!(std::fs::read(&layout.slot_b).unwrap(), vec![0xEE; 1 << 20], "nothing written");
    assert_eq!(std::fs::read_dir(updater.download_dir()).unwrap().count(), 0, "the download is gone");
    sync_round(&mut k);
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &hub.token).0, 204, "a refused version is not offered again");
    assert_eq!(updater.round(now).unwrap(), Round::Nothing);

    ok(admin(&hub, &["update", "rollout", "--site", SITE, "--version", "2.0", "--all"]));
    assert_eq!(updater.round(now).unwrap(), Round::Pending("2.0".into()));
    let slot_b = std::fs::read(&layout.slot_b).unwrap();
    let served = std::fs::read(&good).unwrap();
    let (manifest, header) = mpp_domain::update::read_header(&served).unwrap();
    let root = manifest.part(PartKind::Root).size as usize;
    assert_eq!(slot_b[..root], served[header..header + root], "the root file system is in slot B");
    let entries: Vec<String> = std::fs::read_dir(layout.esp.join("loader/entries"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(entries.contains(&"mpp-kiosk-0002-b+3.conf".to_owned()), "{entries:?}");
    assert_eq!(std::fs::read_dir(updater.download_dir()).unwrap().count(), 0, "the download is gone");
    // The next round waits for the restart; it fetches nothing again.
    assert_eq!(updater.round(now).unwrap(), Round::Pending("2.0".into()));

    sync_round(&mut k);
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update", &hub.token).0, 204, "installed: not offered again");
    add_staff(&hub, "kepala", "supervisor");
    let (_, page, _) = get(&hub, "/fleet", Some(&session(&hub, "kepala")));
    assert!(page.contains("terpasang, menunggu mulai ulang"), "{page}");
}

/// A download begun with `token` and left hanging (the kiosk reads the headers and a little,
/// then nothing): the hub keeps it open. (The status line, the open socket.)
fn hold_download(hub: &Hub, version: &str, token: &str) -> (String, std::net::TcpStream) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", hub.port)).unwrap();
    write!(s, "GET /api/v1/kiosk/update/{version} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {token}\r\n\r\n")
        .unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    let status = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_owned();
    (status, s)
}

#[test]
fn downloads_are_one_per_kiosk_and_a_few_in_all_and_absurd_versions_say_little() {
    let store = tempfile::tempdir().unwrap();
    let made = tempfile::tempdir().unwrap();
    let hub = Hub::start_at_with(NOW, &format!("[updates]\ndir = \"{}\"\n", store.path().display()));
    // 3 × 8 MB: more than the sockets' buffers hold, so a download left unread stays open.
    let (file, _) = bundle_of(made.path(), "2.0", 8 << 20);
    ok(admin(&hub, &["update", "add", file.to_str().unwrap()]));
    ok(admin(&hub, &["update", "rollout", "--site", SITE, "--version", "2.0", "--all"]));
    let mut tokens = vec![hub.token.clone()];
    for n in 2..=5 {
        let n = n.to_string();
        tokens.push(
            ok(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", &n])).trim().to_owned(),
        );
    }

    // One kiosk, a second download while the first runs: refused at once, not queued.
    let (status, first) = hold_download(&hub, "2.0", &tokens[0]);
    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update/2.0", &tokens[0]).0, 429);
    // Four at once in all: the fifth kiosk waits for its next round.
    let held: Vec<_> = tokens[1..4].iter().map(|t| hold_download(&hub, "2.0", t)).collect();
    assert!(held.iter().all(|(s, _)| s.contains(" 200 ")), "{:?}", held.iter().map(|h| &h.0).collect::<Vec<_>>());
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update/2.0", &tokens[4]).0, 503);
    // A kiosk that goes frees its place.
    drop(first);
    drop(held);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let (status, bytes) = loop {
        let (status, bytes) = fetch(&hub, "/api/v1/kiosk/update/2.0", &tokens[4]);
        if status == 200 || std::time::Instant::now() > deadline {
            break (status, bytes);
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(
        (status, bytes.len() as u64),
        (200, std::fs::metadata(&file).unwrap().len()),
        "whole, once the others went"
    );

    // Versions that are no version: 404, and the answer does not repeat them.
    for path in ["9".repeat(5000), "..%2F..%2Fhub.toml".into(), "2.0%00".into(), "%2e%2e".into()] {
        let (status, body) = fetch(&hub, &format!("/api/v1/kiosk/update/{path}"), &tokens[0]);
        assert!(matches!(status, 404 | 414 | 431 | 400), "{path:.40}: {status}");
        assert!(body.len() < 400, "{path:.40}: {} bytes said back", body.len());
    }
    assert_eq!(fetch(&hub, "/api/v1/kiosk/update/2.0", "mpk1.1.guess").0, 401);
}
