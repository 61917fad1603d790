//! What the benchmarks share: a large generated feed.
#![allow(dead_code)]

use mpp_kiosk::catalogue::{Feed, default_feed};

/// The embedded catalogue multiplied to `n` services over 10× as many agencies, each copy
/// with its own codes and ticket prefix so the feed stays valid.
pub fn generated_feed(n: usize) -> Feed {
    let base = default_feed();
    let mut feed = base.clone();
    feed.agencies.clear();
    feed.services.clear();
    let copies = n.div_ceil(base.services.len());
    for copy in 0..copies.min(10) {
        for a in &base.agencies {
            let mut a = a.clone();
            a.code = format!("{}-{copy}", a.code);
            feed.agencies.push(a);
        }
    }
    for i in 0..n {
        let mut s = base.services[i % base.services.len()].clone();
        let copy = i / base.services.len();
        s.code = format!("{}-{copy}", s.code);
        s.agency = format!("{}-{}", s.agency, copy % 10);
        s.ticket_prefix = prefix(i);
        s.name.id = format!("{} {copy}", s.name.id);
        feed.services.push(s);
    }
    feed
}

/// 0 → "AAAA", 1 → "AAAB", … : unique four-letter prefixes.
pub fn prefix(mut i: usize) -> String {
    let mut p = [b'A'; 4];
    for slot in p.iter_mut().rev() {
        *slot = b'A' + (i % 26) as u8;
        i /= 26;
    }
    String::from_utf8(p.to_vec()).unwrap()
}
