//! The print worker: one thread that owns the ticket ledger's connection and the printer,
//! and does one job at a time. Two quick taps, or a tap while a reprint runs, queue up;
//! slips never interleave, and the screen never waits on the printer.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use super::{AheadLookup, Issued, PrintFlowError, PrintSettings, issue_and_print, reprint, test_slip};
use crate::catalogue::Catalogue;
use crate::clock::Clock;
use crate::store::{Store, StoreError};
use crate::text::Lang;
use crate::tickets::Priority;

/// What the worker is asked to do.
#[derive(Debug, Clone)]
pub enum Job {
    Issue {
        service: String,
        priority: Option<Priority>,
    },
    Reprint {
        number: String,
        date: jiff::civil::Date,
    },
    /// The technician's test slip: printer, paper, code page, logo and a QR code.
    TestSlip,
    /// Read the printer's real-time status.
    Status,
    /// A booked citizen's code (its hash): a number for the booking, or a walk-in number
    /// when late, or the refusal.
    CheckIn {
        code_hash: String,
    },
}

/// What a finished job produced.
#[derive(Debug, Clone)]
pub enum Done {
    Ticket(Issued),
    /// A check-in's number; `late`: a walk-in number, the booking's window having passed;
    /// `booked`: the slot the number waits for ("09.15–09.30 WITA"), when not late.
    CheckedIn {
        issued: Issued,
        late: bool,
        booked: Option<String>,
    },
    TestSlip,
    /// The status (`None`: this kind of printer reports none).
    Status(Option<super::PrinterStatus>),
}

impl Done {
    /// The ticket, for jobs that issue or reprint one.
    pub fn ticket(self) -> Option<Issued> {
        match self {
            Done::Ticket(i) | Done::CheckedIn { issued: i, .. } => Some(i),
            Done::TestSlip | Done::Status(_) => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Flow(#[from] PrintFlowError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no ticket {number} on {date}")]
    NoSuchTicket { number: String, date: jiff::civil::Date },
    #[error("the clock: {0}")]
    Clock(String),
    #[error("the print worker has stopped")]
    Stopped,
    #[error("the print job failed unexpectedly: {0}")]
    Crashed(String),
}

pub type Reply = Box<dyn FnOnce(Result<Done, JobError>) + Send>;

struct Request {
    job: Job,
    catalogue: Arc<Catalogue>,
    lang: Lang,
    reply: Reply,
}

/// A handle to the print worker; dropping every handle stops it after its queue.
#[derive(Clone)]
pub struct PrintWorker {
    tx: mpsc::Sender<Request>,
    /// When the job being run started; `None` while idle.
    busy_since: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

impl PrintWorker {
    /// Starts the worker on its own thread with its own connection to the database.
    pub fn spawn(
        db_path: PathBuf,
        settings: PrintSettings,
        kiosk_id: u8,
        clock: Clock,
    ) -> Result<PrintWorker, StoreError> {
        Self::spawn_with(db_path, settings, kiosk_id, clock, None)
    }

    /// [`PrintWorker::spawn`], asking `lookup` (the site server) for the people ahead of
    /// each ticket before its slip is printed.
    pub fn spawn_with(
        db_path: PathBuf,
        settings: PrintSettings,
        kiosk_id: u8,
        clock: Clock,
        lookup: Option<AheadLookup>,
    ) -> Result<PrintWorker, StoreError> {
        Self::spawn_inner(db_path, settings, kiosk_id, clock, lookup, true)
    }

    /// A worker for reading the printer's state only (`printer status`, `doctor`): the
    /// same thread, lock and connection as the kiosk's, but it leaves the ledger alone
    /// (no recovery of unconfirmed tickets at start).
    pub fn for_status(db_path: PathBuf, settings: PrintSettings, clock: Clock) -> Result<PrintWorker, StoreError> {
        Self::spawn_inner(db_path, settings, 1, clock, None, false)
    }

    fn spawn_inner(
        db_path: PathBuf,
        settings: PrintSettings,
        kiosk_id: u8,
        clock: Clock,
        lookup: Option<AheadLookup>,
        recover: bool,
    ) -> Result<PrintWorker, StoreError> {
        let mut store = Store::open(&db_path)?;
        let (tx, rx) = mpsc::channel::<Request>();
        let busy_since: Arc<std::sync::Mutex<Option<std::time::Instant>>> = Arc::default();
        let busy = busy_since.clone();
        let set_busy = move |v: Option<std::time::Instant>| *busy.lock().unwrap_or_else(|e| e.into_inner()) = v;
        thread::Builder::new()
            .name("print-worker".into())
            .spawn(move || {
                let recovered = if recover {
                    clock().map_err(|e| e.to_string()).and_then(|now| {
                        super::recover_unconfirmed(&mut store, &settings, now).map_err(|e| e.to_string())
                    })
                } else {
                    Ok(Vec::new())
                };
                match recovered {
                    Ok(n) if !n.is_empty() => {
                        log::warn!("{} unconfirmed tickets marked print_failed: {}", n.len(), n.join(", "))
                    }
                    Ok(_) => {}
                    Err(e) => log::warn!("checking for unconfirmed tickets: {e}"),
                }
                for req in rx {
                    set_busy(Some(std::time::Instant::now()));
                    // A panic in a job must not drop its reply (the screen would wait on
                    // "printing" forever): it becomes the job's error; its transaction, if
                    // any, rolled back as it unwound.
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run(&mut store, &settings, kiosk_id, &clock, &req, lookup.as_ref())
                    }))
                    .unwrap_or_else(|panic| {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        log::error!("the print job {:?} panicked: {what}", req.job);
                        Err(JobError::Crashed(what))
                    });
                    set_busy(None);
                    record_printer_state(&mut store, &clock, &result);
                    (req.reply)(result);
                }
            })
            .expect("spawning the print worker");
        Ok(PrintWorker { tx, busy_since })
    }

    /// How long the current job has been running (`None` while idle). Every job is bounded
    /// by the printer's timeouts; one running far longer means the worker is stuck.
    pub fn busy_for(&self) -> Option<std::time::Duration> {
        self.busy_since.lock().unwrap_or_else(|e| e.into_inner()).map(|t| t.elapsed())
    }

    /// Queues a job; `reply` runs on the worker thread when it is done (hand the result
    /// to the UI with `slint::invoke_from_event_loop`).
    pub fn submit(&self, job: Job, catalogue: Arc<Catalogue>, lang: Lang, reply: Reply) {
        if let Err(mpsc::SendError(req)) = self.tx.send(Request { job, catalogue, lang, reply }) {
            (req.reply)(Err(JobError::Stopped));
        }
    }

    /// Runs a job and waits for it (the command line's way).
    pub fn run_blocking(&self, job: Job, catalogue: Arc<Catalogue>, lang: Lang) -> Result<Done, JobError> {
        let (tx, rx) = mpsc::channel();
        self.submit(job, catalogue, lang, Box::new(move |r| drop(tx.send(r))));
        rx.recv().unwrap_or(Err(JobError::Stopped))
    }
}

/// What a job's result says of the printer, kept for the site server's fleet view
/// (`sync` reports it with the kiosk's health).
pub fn printer_state(result: &Result<Done, JobError>) -> Option<crate::protocol::PrinterState> {
    use crate::protocol::PrinterState;
    Some(match result {
        Ok(Done::Ticket(i) | Done::CheckedIn { issued: i, .. }) => match i.outcome {
            super::Outcome::Printed => PrinterState::Ready,
            super::Outcome::Failed { .. } => PrinterState::Fault(crate::device::Fault::Error),
        },
        Ok(Done::TestSlip) => PrinterState::Ready,
        Ok(Done::Status(Some(st))) => match st.fault() {
            Some(f) => PrinterState::Fault(f),
            None if st.paper_near_end => PrinterState::PaperNearEnd,
            None => PrinterState::Ready,
        },
        Ok(Done::Status(None)) => PrinterState::Unknown,
        Err(JobError::Flow(super::PrintFlowError::NotReady(f))) => PrinterState::Fault(*f),
        Err(JobError::Flow(super::PrintFlowError::Unreachable(_))) => {
            PrinterState::Fault(crate::device::Fault::Offline)
        }
        // A refusal by the catalogue's rules, a clock or database failure: nothing learnt.
        Err(_) => return None,
    })
}

fn record_printer_state(store: &mut Store, clock: &Clock, result: &Result<Done, JobError>) {
    let (Some(state), Ok(now)) = (printer_state(result), clock()) else { return };
    let now = now.to_string();
    if let Err(e) = store.set_sync_state(&[
        (crate::sync::state::PRINTER_STATE, Some(state.code())),
        (crate::sync::state::PRINTER_STATE_AT, Some(&now)),
    ]) {
        log::warn!("recording the printer's state: {e}");
    }
}

fn run(
    store: &mut Store,
    settings: &PrintSettings,
    kiosk_id: u8,
    clock: &Clock,
    req: &Request,
    lookup: Option<&AheadLookup>,
) -> Result<Done, JobError> {
    // "Now" is read when the job runs, not when it was queued: the ticket's time is the
    // time it was committed.
    let now = clock().map_err(|e| JobError::Clock(e.to_string()))?;
    match &req.job {
        Job::Issue { service, priority } => Ok(Done::Ticket(issue_and_print(
            store,
            &req.catalogue,
            settings,
            service,
            *priority,
            kiosk_id,
            now,
            req.lang,
            lookup,
        )?)),
        Job::Reprint { number, date } => {
            let ticket = store
                .find_ticket(number, *date)?
                .ok_or_else(|| JobError::NoSuchTicket { number: number.clone(), date: *date })?;
            Ok(Done::Ticket(reprint(store, &req.catalogue, settings, ticket, now, req.lang, lookup)?))
        }
        Job::TestSlip => {
            test_slip(settings)?;
            Ok(Done::TestSlip)
        }
        Job::CheckIn { code_hash } => {
            let (issued, late, booked) =
                super::check_in_and_print(store, &req.catalogue, settings, code_hash, kiosk_id, now, req.lang, lookup)?;
            Ok(Done::CheckedIn { issued, late, booked })
        }
        Job::Status => {
            // Under the printer lock, as a slip: a technician's status read never cuts into
            // a citizen's slip printing in another process.
            let _lock = super::PrinterLock::take(settings)?;
            let mut conn = super::Connection::open(&settings.uri, settings.timeout)
                .map_err(|e| PrintFlowError::Unreachable(e.to_string()))?;
            Ok(Done::Status(conn.status().map_err(|e| PrintFlowError::Unreachable(e.to_string()))?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printing::{Outcome, Paper, PrinterUri, QrMode};

    #[test]
    fn a_jobs_result_says_what_the_printer_is() {
        use crate::printing::PrinterStatus;
        use crate::protocol::PrinterState;
        let status = |n4| Ok(Done::Status(Some(PrinterStatus::from_replies(0x12, 0x12, n4).unwrap())));
        assert_eq!(printer_state(&status(0x12)), Some(PrinterState::Ready));
        assert_eq!(printer_state(&status(0x1E)), Some(PrinterState::PaperNearEnd));
        assert_eq!(printer_state(&status(0x72)), Some(PrinterState::Fault(crate::device::Fault::PaperOut)));
        assert_eq!(printer_state(&Ok(Done::Status(None))), Some(PrinterState::Unknown));
        let not_ready = Err(JobError::Flow(crate::printing::PrintFlowError::NotReady(crate::device::Fault::CoverOpen)));
        assert_eq!(printer_state(&not_ready), Some(PrinterState::Fault(crate::device::Fault::CoverOpen)));
        assert_eq!(printer_state(&Err(JobError::Stopped)), None, "nothing learnt of the printer");
    }

    /// A database with the embedded catalogue in a scratch folder.
    fn scratch() -> (tempfile::TempDir, std::path::PathBuf, Arc<Catalogue>) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("k.sqlite3");
        let mut store = Store::open(&db).unwrap();
        store.import_catalogue(&crate::catalogue::default_feed(), "test", false, jiff::Timestamp::UNIX_EPOCH).unwrap();
        let catalogue = Arc::new(store.load_catalogue().unwrap().unwrap());
        (dir, db, catalogue)
    }

    #[test]
    fn taps_from_many_threads_print_one_slip_each_in_order() {
        let (dir, db, catalogue) = scratch();
        let settings = PrintSettings {
            uri: PrinterUri::Preview(dir.path().join("slips")),
            paper: Paper::Mm58,
            qr: QrMode::Raster,
            qr_url: None,
            timeout: std::time::Duration::from_secs(1),
            logo: None,
            lock: Some(dir.path().join("lock")),
        };
        let clock = crate::clock::fixed("2026-11-30T01:00:00Z".parse().unwrap());
        let worker = PrintWorker::spawn(db, settings, 1, clock).unwrap();
        let (tx, rx) = mpsc::channel();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (worker, catalogue, tx) = (worker.clone(), catalogue.clone(), tx.clone());
                thread::spawn(move || {
                    for _ in 0..5 {
                        let tx = tx.clone();
                        worker.submit(
                            Job::Issue { service: "KTP-BARU".into(), priority: None },
                            catalogue.clone(),
                            Lang::Id,
                            Box::new(move |r| tx.send(r).unwrap()),
                        );
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        drop(tx);
        // The replies come back in the order the worker ran the jobs: one job at a time
        // means the numbers come out consecutive, each once.
        let numbers: Vec<String> = rx
            .iter()
            .map(|r| {
                let issued = r.unwrap().ticket().unwrap();
                assert_eq!(issued.outcome, Outcome::Printed);
                issued.ticket.number
            })
            .collect();
        let expected: Vec<String> = (1..=20).map(|n| format!("KTB-A{n:03}")).collect();
        assert_eq!(numbers, expected, "in order, each once");
        let slips = std::fs::read_dir(dir.path().join("slips"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "txt")
            .count();
        assert_eq!(slips, 20, "one slip per ticket");
        let again = worker
            .run_blocking(
                Job::Reprint { number: numbers[0].clone(), date: jiff::civil::date(2026, 11, 30) },
                catalogue.clone(),
                Lang::En,
            )
            .unwrap()
            .ticket()
            .unwrap();
        assert_eq!(again.outcome, Outcome::Printed);
        let missing = worker
            .run_blocking(
                Job::Reprint { number: "KTB-A999".into(), date: jiff::civil::date(2026, 11, 30) },
                catalogue,
                Lang::En,
            )
            .unwrap_err();
        assert_eq!(missing.to_string(), "no ticket KTB-A999 on 2026-11-30");
    }

    /// The worker says how long its job has run, so the watchdog can tell a stuck worker
    /// from a busy one; a printer that takes the connection and never answers ends as a
    /// refusal within the timeout, and the worker is idle again.
    #[test]
    fn the_worker_reports_a_job_in_progress_and_is_idle_after() {
        let (_dir, db, catalogue) = scratch();
        let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = hanging.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let held: Vec<_> = hanging.incoming().take(2).collect();
            std::thread::sleep(std::time::Duration::from_secs(10));
            drop(held);
        });
        let settings = PrintSettings {
            uri: PrinterUri::Tcp { host: "127.0.0.1".into(), port },
            paper: Paper::Mm80,
            qr: QrMode::Native,
            qr_url: None,
            timeout: std::time::Duration::from_millis(400),
            logo: None,
            lock: None,
        };
        let worker =
            PrintWorker::spawn(db, settings, 1, crate::clock::fixed("2026-11-30T01:00:00Z".parse().unwrap())).unwrap();
        assert_eq!(worker.busy_for(), None);
        let (tx, rx) = mpsc::channel();
        worker.submit(
            Job::Issue { service: "KTP-BARU".into(), priority: None },
            catalogue,
            Lang::Id,
            Box::new(move |r| drop(tx.send(r))),
        );
        std::thread::sleep(std::time::Duration::from_millis(150));
        assert!(
            worker.busy_for().is_some_and(|b| b >= std::time::Duration::from_millis(100)),
            "{:?}",
            worker.busy_for()
        );
        let r = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the job ends by its timeout");
        assert!(matches!(r, Err(JobError::Flow(PrintFlowError::NotReady(_)))), "{r:?}");
        assert_eq!(worker.busy_for(), None);
    }
}
