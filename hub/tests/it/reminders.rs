//! Reminders through a gateway (a local receiver standing in for an SMS or WhatsApp
//! gateway): at booking (its first delivery refused, delivered on the retry), the day
//! before, and when the checked-in booking has few people ahead; each once, the texts
//! erased once sent, the bookings never held up by the gateway.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::bookings::{app, policy};
use crate::support::{Hub, SITE};

/// What the gateway received: (the Authorization header, the JSON body).
type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A gateway on loopback that refuses (500) its first request and takes the rest.
fn gateway() -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Received = Arc::default();
    let seen = got.clone();
    std::thread::spawn(move || {
        for (i, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { continue };
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let (mut auth, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("authorization:") {
                    auth = line["authorization:".len()..].trim().to_owned();
                }
            }
            let mut body = vec![0; length.min(65536)];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let status = if i == 0 { "500 Internal Server Error" } else { "200 OK" };
            let _ = write!(conn, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if i > 0 {
                seen.lock().unwrap().push((auth, serde_json::from_slice(&body).unwrap_or_default()));
            }
        }
    });
    (port, got)
}

fn wait_for(hub: &Hub, got: &Received, n: usize) -> Vec<(String, serde_json::Value)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = got.lock().unwrap().clone();
        if now.len() >= n {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway got {} of {n} reminders: {now:?}\nqueued: {}\n{}",
            now.len(),
            hub.sql("SELECT string_agg(kind || ' ' || attempts || ' ' || due_at, '; ') FROM reminder"),
            hub.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn reminders_reach_the_gateway_once_each_and_a_refusal_is_tried_again() {
    let (port, got) = gateway();
    // Sunday 16.05 WITA: the day before Monday's booking, after the reminder hour.
    let mut hub = Hub::start_at_with(
        "2026-11-29T08:05:00Z",
        &format!("[reminders]\nurl = \"http://127.0.0.1:{port}/send\"\ntoken = \"rahasia\"\nahead_at = 1"),
    );
    policy(&hub, "KTP-BARU", &["--slot-minutes", "15"]);
    let app = app(&hub, 2);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // Booked through the server's API, as a phone does.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let body = serde_json::json!({
        "service": "KTP-BARU", "date": "2026-11-30", "slot": "09:15", "nik": "7304010101900001", "phone": "0812-3456-7890"
    });
    let mut r = agent
        .post(&hub.url(&format!("/api/v1/sites/{SITE}/bookings")))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    let answer = r.body_mut().read_to_string().unwrap();
    assert_eq!(r.status().as_u16(), 201, "{answer}");
    let code = serde_json::from_str::<serde_json::Value>(&answer).unwrap()["code"].as_str().unwrap().to_owned();

    // The first delivery is refused (the gateway is down a moment); the other one goes.
    let first = wait_for(&hub, &got, 1);
    assert_eq!(first[0].0, "Bearer rahasia");
    assert_eq!(first[0].1["to"], "6281234567890");
    // Two minutes on, the refused one is tried again and taken.
    hub.restart_at("2026-11-29T08:08:00Z");
    let two = wait_for(&hub, &got, 2);
    let texts: Vec<&str> = two.iter().map(|(_, b)| b["message"].as_str().unwrap()).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("Pengingat: besok Senin, 30 November 2026 jam 09.15\u{2013}09.30 WITA")),
        "the day before: {texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&format!("{}-{}", &code[..4], &code[4..])) && t.contains("Penerbitan KTP-el Baru")),
        "at booking, with its code {code}: {texts:?}"
    );

    // Monday 09.10: checked in (at the desk), nobody ahead: "go to the waiting room".
    hub.restart_at("2026-11-30T01:10:00Z");
    let at = "2026-11-30T01:10:00Z".parse().unwrap();
    let n = rt.block_on(app.desk_check_in(SITE, mpp_hub::app::desk::Find::Code(&code), "desk test", at)).unwrap();
    let three = wait_for(&hub, &got, 3);
    let text = three[2].1["message"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("Nomor {} (Penerbitan KTP-el Baru (perekaman pertama)): 0 orang lagi", n.number)),
        "{text}"
    );

    // Once each; the texts (the code's among them) are gone once sent.
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(got.lock().unwrap().len(), 3);
    let sent = hub.sql("SELECT string_agg(kind || ':' || attempts, ' ' ORDER BY kind) FROM reminder WHERE sent_at IS NOT NULL AND message = ''");
    assert!(sent == "ahead:1 booked:2 day_before:1" || sent == "ahead:1 booked:1 day_before:2", "{sent}");
}
