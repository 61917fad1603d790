//! The speech mode's keypad: a USB keypad read from its own input event device on a thread
//! of its own. The device is grabbed (`EVIOCGRAB`), so its keys reach the speech mode only
//! (the kiosk's screen drops keyboard input besides, so no other keyboard can drive it).
//! An unplugged keypad is opened again when it returns.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::kiosk::speech::Key;
use crate::scanner::evdev::EVENT_SIZE;

const EV_KEY: u16 = 1;

/// A key from one raw `input_event`: presses only (not releases, not auto-repeat: a key
/// held down must not run through a list).
pub fn key_of(e: &[u8]) -> Option<Key> {
    let kind = u16::from_ne_bytes([e[16], e[17]]);
    let code = u16::from_ne_bytes([e[18], e[19]]);
    let value = i32::from_ne_bytes([e[20], e[21], e[22], e[23]]);
    (kind == EV_KEY && value == 1).then(|| Key::from_code(code)).flatten()
}

/// Reads the keypad for the life of the process, handing each key (and when it was
/// pressed) to `pressed`.
pub fn spawn(path: PathBuf, pressed: impl Fn(Key, Instant) + Send + 'static) {
    std::thread::Builder::new()
        .name("keypad".into())
        .spawn(move || {
            let mut warned = false;
            loop {
                match crate::scanner::evdev::open_grabbed(&path) {
                    Ok(mut file) => {
                        log::info!("speech keypad on {}", path.display());
                        warned = false;
                        let mut pending = Vec::new();
                        let mut buf = [0u8; EVENT_SIZE * 16];
                        loop {
                            match file.read(&mut buf) {
                                Ok(0) => break,
                                Ok(n) => {
                                    let at = Instant::now();
                                    pending.extend_from_slice(&buf[..n]);
                                    let whole = pending.len() / EVENT_SIZE * EVENT_SIZE;
                                    pending[..whole].chunks(EVENT_SIZE).filter_map(key_of).for_each(|k| pressed(k, at));
                                    pending.drain(..whole);
                                }
                                Err(e) => {
                                    log::warn!("speech keypad {}: {e}; opening it again", path.display());
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) if !warned => {
                        log::warn!("speech keypad {}: {e}; trying again every 2 s", path.display());
                        warned = true;
                    }
                    Err(_) => {}
                }
                std::thread::sleep(Duration::from_secs(2));
            }
        })
        .expect("a thread for the keypad");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::evdev::raw;

    #[test]
    fn presses_count_releases_and_repeats_do_not() {
        assert_eq!(key_of(&raw(1, 79, 1)), Some(Key::Digit(1)));
        assert_eq!(key_of(&raw(1, 79, 0)), None);
        assert_eq!(key_of(&raw(1, 79, 2)), None);
        assert_eq!(key_of(&raw(4, 4, 458_841)), None); // MSC_SCAN
        assert_eq!(key_of(&raw(1, 96, 1)), Some(Key::Enter));
    }
}
