//! The administrator's commands: counters with the site's services, staff accounts whose
//! passwords come from standard input and are kept only as Argon2id hashes.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{Hub, SITE, hub_command};

fn staff_add(hub: &Hub, args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpp-hub"))
        .args(["staff", "add", "--site", SITE])
        .args(args)
        .env("MPP_HUB_DATABASE_URL", &hub.database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn counters_serve_the_sites_services_and_passwords_are_only_hashes() {
    let hub = Hub::start();
    let out = hub_command(
        &hub.database,
        &["counter", "add", "--site", SITE, "--number", "3", "--name", "Loket 3", "--services", "KTP-BARU,KTP-BARUU"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"KTP-BARUU\""), "the unknown service is named");
    let out = hub_command(
        &hub.database,
        &["counter", "add", "--site", SITE, "--number", "3", "--name", "Loket 3", "--services", "KTP-BARU,KK-BARU"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        hub.sql("SELECT name || ':' || array_to_string(services, ',') FROM counter WHERE number = 3"),
        "Loket 3:KTP-BARU,KK-BARU"
    );
    let out = hub_command(&hub.database, &["counter", "per-agency", "--site", SITE]);
    assert!(out.status.success());
    // MPP Jeneponto's 18 agencies, a counter each, in the catalogue's order (counter 3 as
    // added by hand became the third agency's).
    assert_eq!(hub.sql("SELECT count(*) FROM counter"), "18", "a counter per agency with services");
    assert_eq!(hub.sql("SELECT name FROM counter WHERE number = 1"), "Loket 1 · Disdukcapil");
    assert_eq!(
        hub.sql("SELECT array_to_string(services, ',') FROM counter WHERE number = 1"),
        "KTP-BARU,KTP-HILANG,KTP-UBAH,KK-BARU,KK-UBAH,KK-HILANG,AKTA-LAHIR,AKTA-MATI,KIA,SKPWNI"
    );

    let password = "Loket-tiga 2026!";
    let short = staff_add(&hub, &["--username", "andi", "--role", "counter"], "pendek");
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10"));
    let bad = staff_add(&hub, &["--username", "Andi Ok", "--role", "counter"], password);
    assert_eq!(bad.status.code(), Some(2), "a username with a space and capitals is refused");
    let ok = staff_add(&hub, &["--username", "andi", "--name", "Andi Makkasau", "--role", "counter"], password);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let hash = hub.sql("SELECT password_hash FROM staff WHERE username = 'andi'");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(password));
    assert!(mpp_hub::credential::verify_secret(password, &hash));
    assert!(!mpp_hub::credential::verify_secret("Loket-tiga 2025!", &hash));
    assert_eq!(hub.sql("SELECT role || ' ' || display_name FROM staff"), "counter Andi Makkasau");
}

/// The .deb ships the manual page generated from the command line's own definitions.
#[test]
fn the_shipped_manual_page_is_current() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mpp-hub")).arg("manpage").output().unwrap();
    assert!(out.status.success());
    let shipped = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/debian/mpp-hub.1")).unwrap();
    assert!(
        out.stdout == shipped,
        "hub/deploy/debian/mpp-hub.1 is out of date: run `cargo run -p mpp-hub -- manpage > hub/deploy/debian/mpp-hub.1`"
    );
    let page = String::from_utf8(out.stdout).unwrap();
    for command in ["serve", "migrate", "doctor", "demo", "kiosk", "staff"] {
        assert!(page.contains(command), "the page names {command}");
    }
}
