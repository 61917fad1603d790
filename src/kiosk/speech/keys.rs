//! The keypad's keys. A USB numeric keypad (17 keys, cheap and sold everywhere) or a
//! 12-key telephone keypad; the digits mean the same on either layout. Codes are Linux's
//! (`linux/input-event-codes.h`), read from the keypad's own event device.

/// What a key means in the speech mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// 0–9: a choice, a page, or a letter group when spelling.
    Digit(u8),
    /// Enter (marked with a circle): go on.
    Enter,
    /// `.` / Del / Backspace (marked with a left arrow): one step back, or the last letter.
    Back,
    /// Esc (marked with an X), where the keypad has one: end the speech mode. (Not Num
    /// Lock: some keypads send it around every key.) `.` at the main menu ends it too.
    Cancel,
    /// `*`: say it again.
    Repeat,
    /// `/`: where am I, and the keys.
    Help,
    /// `+` / `-`: louder, softer.
    VolumeUp,
    VolumeDown,
}

impl Key {
    /// The key an input event's code stands for, if it means anything here.
    pub fn from_code(code: u16) -> Option<Key> {
        Some(match code {
            // KEY_KP7 … KEY_KP0 (the keypad's own) and KEY_1 … KEY_0 (a telephone keypad's).
            71 => Key::Digit(7),
            72 => Key::Digit(8),
            73 => Key::Digit(9),
            75 => Key::Digit(4),
            76 => Key::Digit(5),
            77 => Key::Digit(6),
            79 => Key::Digit(1),
            80 => Key::Digit(2),
            81 => Key::Digit(3),
            82 => Key::Digit(0),
            2..=10 => Key::Digit((code - 1) as u8),
            11 => Key::Digit(0),
            96 | 28 => Key::Enter,
            83 | 14 | 111 => Key::Back,
            1 => Key::Cancel,
            55 => Key::Repeat,
            98 | 53 => Key::Help,
            78 => Key::VolumeUp,
            74 | 12 => Key::VolumeDown,
            _ => return None,
        })
    }

    /// QEMU's name of the key that sends it (`input-send-event`, the QEMU speech test).
    pub fn qcode(self) -> &'static str {
        match self {
            Key::Digit(0) => "kp_0",
            Key::Digit(1) => "kp_1",
            Key::Digit(2) => "kp_2",
            Key::Digit(3) => "kp_3",
            Key::Digit(4) => "kp_4",
            Key::Digit(5) => "kp_5",
            Key::Digit(6) => "kp_6",
            Key::Digit(7) => "kp_7",
            Key::Digit(8) => "kp_8",
            Key::Digit(_) => "kp_9",
            Key::Enter => "kp_enter",
            Key::Back => "kp_decimal",
            Key::Cancel => "esc",
            Key::Repeat => "kp_multiply",
            Key::Help => "kp_divide",
            Key::VolumeUp => "kp_add",
            Key::VolumeDown => "kp_subtract",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numeric_keypads_keys_and_a_telephone_keypads_digits() {
        let digits: Vec<_> = [82, 79, 80, 81, 75, 76, 77, 71, 72, 73].iter().map(|c| Key::from_code(*c)).collect();
        assert_eq!(digits, (0..10).map(|d| Some(Key::Digit(d))).collect::<Vec<_>>());
        let top_row: Vec<_> = (2..=11).map(Key::from_code).collect();
        assert_eq!(top_row, [1, 2, 3, 4, 5, 6, 7, 8, 9, 0].iter().map(|d| Some(Key::Digit(*d))).collect::<Vec<_>>());
        assert_eq!(Key::from_code(96), Some(Key::Enter));
        assert_eq!(Key::from_code(83), Some(Key::Back));
        assert_eq!(Key::from_code(55), Some(Key::Repeat));
        assert_eq!(Key::from_code(78), Some(Key::VolumeUp));
        assert_eq!(Key::from_code(74), Some(Key::VolumeDown));
        assert_eq!(Key::from_code(1), Some(Key::Cancel));
        assert_eq!(Key::from_code(69), None, "Num Lock means nothing");
        assert_eq!(Key::from_code(42), None); // Shift
    }
}
