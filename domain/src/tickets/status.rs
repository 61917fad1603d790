//! A ticket's status and the changes allowed between them. Every change is recorded as an
//! event in the ledger; the ticket row holds the latest.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded; the slip has not (yet) been confirmed printed.
    Issued,
    /// The printer confirmed the slip.
    Printed,
    /// Sending the slip failed, or the printer reported a fault after it.
    PrintFailed,
    /// Printed again, by staff or after a failure.
    Reprinted,
    /// Cancelled by staff.
    Voided,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Issued, Status::Printed, Status::PrintFailed, Status::Reprinted, Status::Voided];

    pub fn code(self) -> &'static str {
        match self {
            Status::Issued => "issued",
            Status::Printed => "printed",
            Status::PrintFailed => "print_failed",
            Status::Reprinted => "reprinted",
            Status::Voided => "voided",
        }
    }

    pub fn from_code(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.code() == s)
    }

    /// Whether a ticket in this status may move to `next`.
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        match (self, next) {
            (Voided, _) => false,
            (_, Voided) => true,
            (Issued, Printed | PrintFailed) => true,
            (Printed | PrintFailed | Reprinted, Reprinted | PrintFailed) => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn the_allowed_changes() {
        let allowed: Vec<(Status, Status)> = Status::ALL
            .iter()
            .flat_map(|a| Status::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Issued, Printed),
                (Issued, PrintFailed),
                (Issued, Voided),
                (Printed, PrintFailed),
                (Printed, Reprinted),
                (Printed, Voided),
                (PrintFailed, PrintFailed),
                (PrintFailed, Reprinted),
                (PrintFailed, Voided),
                (Reprinted, PrintFailed),
                (Reprinted, Reprinted),
                (Reprinted, Voided),
            ]
        );
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
    }
}
