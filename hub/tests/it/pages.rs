//! The counter page's security over HTTP: sign-in and its lock-out, sessions, the CSRF
//! token on every action, one site's staff never acting for another, and every text from
//! the catalogue escaped on the pages.

use std::time::Duration;

use crate::support::{Hub, SITE, hub_command};

struct Browser<'h> {
    agent: ureq::Agent,
    cookie: Option<String>,
    hub_port: u16,
    hub: &'h Hub,
}

impl<'h> Browser<'h> {
    fn new(hub: &'h Hub) -> Browser<'h> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Browser { agent, cookie: None, hub_port: hub.port, hub }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.hub_port)
    }

    fn form(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let mut req = self.agent.post(&self.url(path));
        let mut cookies: Vec<String> = self.cookie.iter().cloned().collect();
        let mut form: Vec<(&str, &str)> = form.to_vec();
        // Signing in starts from the form, as a browser does: its login token.
        let login = (path == "/counter/sign-in").then(|| crate::support::login_form(self.hub));
        if let Some((cookie, token)) = &login {
            cookies.push(cookie.clone());
            form.push(("login_csrf", token));
        }
        if !cookies.is_empty() {
            req = req.header("Cookie", &cookies.join("; "));
        }
        let mut r = req.send_form(form.iter().copied()).unwrap();
        for set in r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
            if set.starts_with("mpp_hub_session=") {
                self.cookie = Some(set.split(';').next().unwrap().to_owned()).filter(|c| c != "mpp_hub_session=");
            }
        }
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    }

    fn get(&self, path: &str) -> (u16, String) {
        let mut req = self.agent.get(&self.url(path));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let mut r = req.call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    }

    fn action(&self, csrf: Option<&str>, body: &str) -> (u16, String) {
        let mut req = self.agent.post(&self.url("/api/v1/counter/action")).header("Content-Type", "application/json");
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        if let Some(t) = csrf {
            req = req.header("X-CSRF-Token", t);
        }
        let mut r = req.send(body).unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    }

    /// The page's CSRF token.
    fn csrf(&self) -> String {
        let (_, page) = self.get("/counter");
        let start = ["data-csrf=\"", "name=\"csrf\" value=\""]
            .iter()
            .find_map(|m| page.find(m).map(|at| at + m.len()))
            .expect("a CSRF token on the page");
        page[start..start + 32].to_owned()
    }
}

fn staff(hub: &Hub, site: &str, username: &str, role: &str, password: &str) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mpp-hub"));
    c.args(["staff", "add", "--site", site, "--username", username, "--role", role])
        .env("MPP_HUB_DATABASE_URL", &hub.database)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn sign_in_sessions_and_csrf_guard_every_action() {
    let hub = Hub::start();
    assert!(hub_command(&hub.database, &["counter", "per-agency", "--site", SITE]).status.success());
    staff(&hub, SITE, "petugas1", "counter", "kata-sandi-panjang");
    let mut b = Browser::new(&hub);
    // Not signed in: the form, and no action.
    assert!(b.get("/counter").1.contains("id=\"password\""));
    assert_eq!(b.action(Some("x"), r#"{"action":"call_next"}"#).0, 401);
    // A wrong password, and an unknown user, get the same answer.
    let wrong =
        b.form("/counter/sign-in", &[("site", SITE), ("username", "petugas1"), ("password", "salah-salah-salah")]);
    let unknown =
        b.form("/counter/sign-in", &[("site", SITE), ("username", "siapa"), ("password", "salah-salah-salah")]);
    assert_eq!((wrong.0, unknown.0), (401, 401));
    assert!(
        wrong.1.contains("Nama pengguna atau kata sandi salah.")
            && unknown.1.contains("Nama pengguna atau kata sandi salah.")
    );
    // Signed in; the counter chosen only with the page's token.
    assert_eq!(
        b.form("/counter/sign-in", &[("site", SITE), ("username", "petugas1"), ("password", "kata-sandi-panjang")]).0,
        303
    );
    assert_eq!(b.form("/counter/choose", &[("csrf", "0000"), ("counter", "1")]).0, 403);
    let csrf = b.csrf();
    assert_eq!(b.form("/counter/choose", &[("csrf", &csrf), ("counter", "1")]).0, 303);
    // Actions need the token.
    assert_eq!(b.action(None, r#"{"action":"call_next"}"#).0, 403);
    assert_eq!(b.action(Some("00000000000000000000000000000000"), r#"{"action":"call_next"}"#).0, 403);
    let (status, body) = b.action(Some(&csrf), r#"{"action":"call_next"}"#);
    assert_eq!((status, body.as_str()), (200, r#"{"message":"Tidak ada yang menunggu."}"#));
    // A counter clerk may not call out of order.
    let (status, body) = b.action(Some(&csrf), r#"{"action":"call","number":"KTB-A001","reason":"x"}"#);
    assert_eq!(status, 403, "{body}");
    // The database keeps only the SHA-256 of the cookie's token: a copy signs no one in.
    let token = b.cookie.as_deref().unwrap().split_once('=').unwrap().1.to_owned();
    let digest: String =
        <sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hub.sql("SELECT string_agg(token_sha256, ',') FROM staff_session"), digest);
    // Signed out: the session no longer works, even with its old cookie.
    let old = b.cookie.clone();
    assert_eq!(b.form("/counter/sign-out", &[("csrf", &csrf)]).0, 303);
    b.cookie = old;
    assert_eq!(b.action(Some(&csrf), r#"{"action":"call_next"}"#).0, 401);
    assert_eq!(hub.sql("SELECT count(*) FROM staff_session"), "0");
}

#[test]
fn five_wrong_passwords_lock_the_account() {
    let hub = Hub::start();
    staff(&hub, SITE, "petugas2", "counter", "kata-sandi-panjang");
    let mut b = Browser::new(&hub);
    for _ in 0..5 {
        assert_eq!(
            b.form("/counter/sign-in", &[("site", SITE), ("username", "petugas2"), ("password", "tebak-tebakan")]).0,
            401
        );
    }
    let (status, body) =
        b.form("/counter/sign-in", &[("site", SITE), ("username", "petugas2"), ("password", "kata-sandi-panjang")]);
    assert_eq!(status, 429, "locked, even with the right password: {body}");
    assert!(body.contains("dikunci"), "{body}");
    assert!(b.cookie.is_none());
    // The lock ends (here: an admin lifts it) and the right password works again.
    let out = hub_command(&hub.database, &["staff", "unlock", "--site", SITE, "--username", "petugas2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        b.form("/counter/sign-in", &[("site", SITE), ("username", "petugas2"), ("password", "kata-sandi-panjang")]).0,
        303
    );
    assert_eq!(
        hub.sql("SELECT count(*) FROM sign_in_guard WHERE username = 'petugas2' AND scope IN ('pair', 'account')"),
        "0",
        "a right password starts the account's counts again"
    );
}

#[test]
fn one_sites_staff_never_act_for_another_and_every_text_is_escaped() {
    let hub = Hub::start();
    // A second site in the same database, with a counter of the same number.
    let mut feed: serde_json::Value = serde_json::to_value(mpp_domain::catalogue::default_feed()).unwrap();
    feed["site"]["code"] = "MPP-LAIN".into();
    let file = hub.dir.path().join("lain.json");
    std::fs::write(&file, serde_json::to_vec(&feed).unwrap()).unwrap();
    assert!(hub_command(&hub.database, &["site", "add", file.to_str().unwrap()]).status.success());
    // A counter named like markup, and the site renamed so by a newer catalogue.
    let counter = |site: &str, n: &str, name: &str| {
        let out = hub_command(
            &hub.database,
            &["counter", "add", "--site", site, "--number", n, "--name", name, "--services", "KTP-BARU"],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    counter("MPP-LAIN", "9", "Loket 9");
    counter(SITE, "1", "<img src=x onerror=alert(1)>");
    let mut renamed: serde_json::Value = serde_json::to_value(mpp_domain::catalogue::default_feed()).unwrap();
    renamed["site"]["name"]["id"] = "<script>alert(1)</script> MPP".into();
    renamed["version"] = (renamed["version"].as_u64().unwrap() + 1).into();
    let file = hub.dir.path().join("renamed.json");
    std::fs::write(&file, serde_json::to_vec(&renamed).unwrap()).unwrap();
    let out = hub_command(&hub.database, &["site", "add", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    staff(&hub, SITE, "petugas3", "supervisor", "kata-sandi-panjang");
    let mut b = Browser::new(&hub);
    // Their password does not open the other site.
    assert_eq!(
        b.form(
            "/counter/sign-in",
            &[("site", "MPP-LAIN"), ("username", "petugas3"), ("password", "kata-sandi-panjang")]
        )
        .0,
        401
    );
    assert_eq!(
        b.form("/counter/sign-in", &[("site", SITE), ("username", "petugas3"), ("password", "kata-sandi-panjang")]).0,
        303
    );
    let csrf = b.csrf();
    // The other site's counter 9 is not theirs to choose.
    assert_eq!(b.form("/counter/choose", &[("csrf", &csrf), ("counter", "9")]).0, 400);
    let (_, page) = b.get("/counter");
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img src=x"),
        "the counter's name as text"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; MPP") && !page.contains("<script>alert"),
        "the site's name as text"
    );
    let (status, display) = b.get(&format!("/display/{SITE}"));
    assert_eq!(status, 200);
    assert!(display.contains("&lt;script&gt;alert(1)&lt;/script&gt; MPP") && !display.contains("<script>alert"));
    assert_eq!(b.get("/display/%3Cscript%3E").0, 404);
}
