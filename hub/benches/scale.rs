//! The report and the fleet at scale, run by hand (not in CI: it loads millions of rows):
//! SITES sites with their kiosks, DAYS days of TICKETS tickets a day for the first
//! LOADED sites, each called, started and finished (three `call_event` rows), and a
//! survey response for one ticket in twenty, generated in PostgreSQL; then the report of
//! one site for one month and the fleet of every site, p50/p95 of 20 runs each, the
//! database's size and its largest tables and indexes.
//!
//!     SITES=500 LOADED=20 DAYS=31 TICKETS=2000 cargo bench -p mpp-hub --bench scale

use std::time::{Duration, Instant};

#[allow(dead_code)] // this benchmark uses the cluster only
mod common;
use common::percentile;

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn psql(database: &str, sql: &str) -> String {
    let bin = mpp_hub::db::local_cluster::bindir().unwrap().join("psql");
    let out = std::process::Command::new(bin)
        .args(["-v", "ON_ERROR_STOP=1", "-tA", "-d", database, "-c", sql])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn main() {
    let (sites, loaded, days, tickets) = (env("SITES", 500), env("LOADED", 5), env("DAYS", 31), env("TICKETS", 2000));
    let dir = tempfile::tempdir().unwrap();
    let database = common::cluster(dir.path(), 55000 + (std::process::id() % 5000) as u16);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mpp-hub"))
        .args(["site", "add", "--embedded"])
        .env("MPP_HUB_DATABASE_URL", &database)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = Instant::now();
    // Sites S0001… with four kiosks each, heard from at various times; health for each.
    psql(&database, &format!(
        "INSERT INTO site (code, name, time_zone, feed, feed_version) SELECT 'S' || lpad(i::text, 4, '0'), 'MPP ' || i, time_zone, feed, feed_version FROM site, generate_series(1, {sites}) i WHERE code = 'MPP-JENEPONTO';
         INSERT INTO kiosk (site, number, token_id, token_hash, last_seen_at) SELECT s.code, n, s.code || '-' || n, 'x', now() - (random() * interval '3 hours') FROM site s, generate_series(1, 4) n WHERE s.code LIKE 'S%';
         INSERT INTO kiosk_health (site, kiosk, reported_at, received_at, app_version, catalogue_version, printer, outbox_pending)
           SELECT site, number, last_seen_at, last_seen_at, '0.1.0', (SELECT feed_version FROM site WHERE code = site), (ARRAY['ready','ready','ready','paper_near_end','paper_out'])[1 + (random() * 4)::int], (random() * 80)::int FROM kiosk WHERE site LIKE 'S%';"
    ));
    // Tickets of the loaded sites: 08.00 on, every 13 s; each called after 0–60 min,
    // started a minute later, finished after 3–20 min.
    psql(&database, &format!(
        "INSERT INTO ticket (id, site, kiosk, number, service, agency, local_date, issued_at, people_ahead, status, status_at, queue_at, call_state, counter, last_call_at)
         SELECT md5(s.code || '/' || d || '/' || n), s.code, 1 + n % 4, 'A' || n, (ARRAY['KTP-BARU','KK-BARU','AKTA-LAHIR','SKCK-BARU','SIM-C-PANJANG','PAJAK-KENDARAAN','PASPOR-BARU','NIB-OSS'])[1 + n % 8],
                (ARRAY['DUKCAPIL','DUKCAPIL','DUKCAPIL','POLRES','POLRES','SAMSAT','IMIGRASI','DPMPTSP'])[1 + n % 8], date '2026-01-01' + d,
                (date '2026-01-01' + d) + time '00:00' + n * interval '13 seconds', 0, 'printed', now(), (date '2026-01-01' + d) + n * interval '13 seconds', 'done', 1 + n % 8, NULL
         FROM site s, generate_series(0, {days} - 1) d, generate_series(1, {tickets}) n WHERE s.code IN (SELECT code FROM site WHERE code LIKE 'S%' ORDER BY code LIMIT {loaded});
         INSERT INTO call_event (site, ticket, number, action, counter, staff, at)
           SELECT t.site, t.id, t.number, e.action, t.counter, 'petugas' || t.counter, t.issued_at + w.wait + e.after * w.service
           FROM ticket t, LATERAL (SELECT random() * interval '60 minutes' AS wait, interval '3 minutes' + random() * interval '17 minutes' AS service) w,
                (VALUES ('call', 0.0), ('start', 0.05), ('finish', 1.0)) AS e(action, after)
           WHERE t.site LIKE 'S%';
         INSERT INTO survey_response (id, site, service, agency, local_date, source, answers, profile)
           SELECT 'r' || t.id, t.site, t.service, t.agency, t.local_date, 'kiosk', '[[\"U1\",4],[\"U2\",3],[\"U3\",4],[\"U4\",4],[\"U5\",3],[\"U6\",4],[\"U7\",4],[\"U8\",3],[\"U9\",4]]', '{{}}'
           FROM ticket t WHERE t.site LIKE 'S%' AND random() < 0.05;
         ANALYZE;"
    ));
    println!(
        "generated {sites} sites ({} kiosks), {loaded} × {days} days × {tickets} tickets in {:.0} s",
        sites * 4,
        t.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let app = mpp_hub::app::App::open(&database, &Default::default()).unwrap();
    let site = "S0001";
    let (from, to) = (jiff::civil::date(2026, 1, 1), jiff::civil::date(2026, 1, days.min(31) as i8));
    let mut report_times = Vec::new();
    let mut fleet_times = Vec::new();
    rt.block_on(async {
        for _ in 0..20 {
            let t = Instant::now();
            let r = app.report(site, from, to).await.unwrap();
            report_times.push(t.elapsed());
            assert!(r.report.site.issued as u64 >= u64::from(tickets), "the month is there");
            let t = Instant::now();
            let (rows, _) = app.fleet(None, mpp_hub::clock::now()).await.unwrap();
            fleet_times.push(t.elapsed());
            assert_eq!(rows.len() as u32, (sites * 4));
        }
    });
    report_times.sort();
    fleet_times.sort();
    let p = |v: &[Duration]| format!("p50 {:.0} ms, p95 {:.0} ms", percentile(v, 0.5), percentile(v, 0.95));
    println!("report of one site for {days} days ({} tickets): {}", tickets * days, p(&report_times));
    println!("fleet of {} kiosks at {sites} sites: {}", sites * 4, p(&fleet_times));
    println!("database size: {}", psql(&database, "SELECT pg_size_pretty(pg_database_size(current_database()))"));
    println!(
        "largest relations:\n{}",
        psql(
            &database,
            "SELECT relname || ': ' || pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i') ORDER BY pg_total_relation_size(oid) DESC LIMIT 8"
        )
    );
    println!(
        "rows: {} tickets, {} call events",
        psql(&database, "SELECT count(*) FROM ticket"),
        psql(&database, "SELECT count(*) FROM call_event")
    );
}
