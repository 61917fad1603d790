//! A real HTTP/1.1 server on loopback for the sync tests: serves feeds (with ETags, and
//! misbehaving on purpose: truncated bodies, stalls, error statuses) and receives uploads,
//! deduplicating records by `event_id` as the protocol asks of a receiver.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub enum Route {
    /// 200 with this body and ETag; 304 when If-None-Match matches.
    Ok { body: Vec<u8>, etag: String },
    /// This status with a short body.
    Status(u16),
    /// Promises the whole length, sends half, closes.
    Truncated(Vec<u8>),
    /// Promises the whole length, sends half, then waits far longer than any timeout.
    Stall(Vec<u8>),
}

#[derive(Default)]
pub struct Receiver {
    /// Unique records by event_id.
    pub records: HashMap<String, serde_json::Value>,
    /// Every POST seen: (Idempotency-Key, record count).
    pub posts: Vec<(String, usize)>,
    /// Every batch's records as received, in order.
    pub batches: Vec<Vec<serde_json::Value>>,
    /// Every POST's Authorization header ("" when none).
    pub auth: Vec<String>,
    pub seen_keys: HashSet<String>,
    /// Answer uploads with 503 (down), with this body (default `{}`).
    pub down: bool,
    pub down_body: Option<String>,
    /// Answer uploads with this redirect (status, Location), storing nothing; a GET to
    /// the target answers 200, as a captive portal or a moved endpoint's page would.
    pub redirect: Option<(u16, String)>,
    /// Store the next batch, then hold the answer this long (the kiosk can be killed meanwhile).
    pub hold_next: Option<Duration>,
}

pub struct Server {
    pub port: u16,
    pub routes: Arc<Mutex<HashMap<String, Route>>>,
    pub receiver: Arc<Mutex<Receiver>>,
    pub conditional_hits: Arc<Mutex<u32>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let receiver: Arc<Mutex<Receiver>> = Arc::default();
        let conditional_hits: Arc<Mutex<u32>> = Arc::default();
        let (r, rx, hits) = (routes.clone(), receiver.clone(), conditional_hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, rx, hits) = (r.clone(), rx.clone(), hits.clone());
                std::thread::spawn(move || {
                    let _ = handle(stream, &r, &rx, &hits);
                });
            }
        });
        Server { port, routes, receiver, conditional_hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn route(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
    }
}

fn handle(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, Route>>,
    receiver: &Mutex<Receiver>,
    hits: &Mutex<u32>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        if method == "POST" {
            let key = headers.get("idempotency-key").cloned().unwrap_or_default();
            receiver.lock().unwrap().auth.push(headers.get("authorization").cloned().unwrap_or_default());
            let (status, hold) = {
                let mut rx = receiver.lock().unwrap();
                if let Some((status, to)) = rx.redirect.clone() {
                    write!(out, "HTTP/1.1 {status} Moved\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n")?;
                    continue;
                } else if rx.down {
                    let body = rx.down_body.clone().unwrap_or_else(|| "{}".into());
                    write!(out, "HTTP/1.1 503 Down\r\nContent-Length: {}\r\n\r\n{body}", body.len())?;
                    continue;
                } else {
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let records = v["records"].as_array().cloned().unwrap_or_default();
                    rx.posts.push((key.clone(), records.len()));
                    rx.batches.push(records.clone());
                    rx.seen_keys.insert(key);
                    for r in records {
                        rx.records.insert(r["event_id"].as_str().unwrap().to_owned(), r);
                    }
                    (200, rx.hold_next.take())
                }
            };
            if let Some(d) = hold {
                std::thread::sleep(d);
            }
            write!(out, "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{{}}")?;
            continue;
        }
        let route = routes.lock().unwrap().get(&path).cloned();
        match route {
            None if path == "/portal" => write!(out, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nWelcome page")?,
            None => write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")?,
            Some(Route::Status(s)) => write!(out, "HTTP/1.1 {s} X\r\nContent-Length: 5\r\n\r\nerror")?,
            Some(Route::Ok { body, etag }) => {
                if headers.get("if-none-match") == Some(&etag) {
                    *hits.lock().unwrap() += 1;
                    write!(out, "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n")?;
                } else {
                    write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\n\r\n", body.len())?;
                    out.write_all(&body)?;
                }
            }
            Some(Route::Truncated(body)) => {
                write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())?;
                out.write_all(&body[..body.len() / 2])?;
                return Ok(());
            }
            Some(Route::Stall(body)) => {
                write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())?;
                out.write_all(&body[..body.len() / 2])?;
                out.flush()?;
                std::thread::sleep(Duration::from_secs(30));
                return Ok(());
            }
        }
        out.flush()?;
    }
}
