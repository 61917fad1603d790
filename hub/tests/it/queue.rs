//! The live queue out: two kiosks' tickets, uploaded, come back in the calling order.

use mpp_kiosk::tickets::{Priority, Status};

use crate::support::{hub_command, Hub, KioskLedger, SITE};

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[test]
fn two_kiosks_tickets_come_back_in_calling_order() {
    let hub = Hub::start();
    let second = String::from_utf8(hub_command(&hub.database, &["kiosk", "enroll", "--site", SITE, "--number", "2"]).stdout).unwrap().trim().to_owned();
    let (mut a, mut b) = (KioskLedger::new(), KioskLedger::new());
    let issue = |k: &mut KioskLedger, kiosk: u8, priority: Option<Priority>, at: &str| {
        let t = k.store.issue_ticket(&k.catalogue, "KTP-BARU", priority, kiosk, ts(at)).unwrap();
        k.store.set_ticket_status(&t.id, Status::Printed, ts(at), None).unwrap();
        t
    };
    issue(&mut a, 1, None, "2026-11-30T01:05:00Z"); // KTB-A001
    issue(&mut b, 2, None, "2026-11-30T01:06:00Z"); // KTB-B001
    let voided = issue(&mut a, 1, None, "2026-11-30T01:07:00Z"); // KTB-A002, voided below
    a.store.set_ticket_status(&voided.id, Status::Voided, ts("2026-11-30T01:08:00Z"), None).unwrap();
    issue(&mut a, 1, None, "2026-11-30T01:09:00Z"); // KTB-A003
    issue(&mut b, 2, Some(Priority::Elderly), "2026-11-30T01:10:00Z"); // KTB-PB001
    for (k, kiosk, token) in [(&mut a, 1, hub.token.clone()), (&mut b, 2, second)] {
        let cfg = k.sync_config(&hub, &token);
        mpp_kiosk::sync::upload::upload(&mut k.store, &cfg, SITE, kiosk, ts("2026-11-30T01:11:00Z")).unwrap().unwrap();
    }

    let (status, body) = hub.get(&format!("/api/v1/sites/{SITE}/queue?date=2026-11-30"));
    assert_eq!(status, 200, "{body}");
    let q: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(q["waiting"], 4, "the voided ticket does not wait: {q}");
    let ktp = q["services"].as_array().unwrap().iter().find(|s| s["service"] == "KTP-BARU").unwrap();
    assert_eq!(ktp["next"], serde_json::json!(["KTB-PB001", "KTB-A001", "KTB-B001", "KTB-A003"]), "priority first, then by issue time across kiosks");
    assert_eq!(ktp["priority_waiting"], 1);

    assert_eq!(hub.get(&format!("/api/v1/sites/{SITE}/queue?date=2026-12-01")).1.contains("\"waiting\":0"), true, "another day is empty");
    assert_eq!(hub.get("/api/v1/sites/MPP-NOWHERE/queue").0, 404);
    assert_eq!(hub.get(&format!("/api/v1/sites/{SITE}/queue?date=30-11-2026")).0, 400);
}
