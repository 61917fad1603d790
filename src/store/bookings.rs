//! The kiosk's copy of its site's bookings of a day (from the site server, every sync
//! round and at each check-in), so a booked citizen is checked in with the network cut;
//! codes only as hashes, nothing that names anyone. The ticket a booking became is the
//! ticket whose `booking` is its code's hash.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, Ticket};
use crate::protocol::{BookingEntry, DayBookings};

/// The day's bookings of `service` not checked in here whose window is still open at local
/// time `now`: places held from walk-ins.
pub(super) fn held(
    conn: &rusqlite::Connection,
    date: jiff::civil::Date,
    service: &str,
    now: jiff::civil::DateTime,
) -> Result<u32, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT slot_start, late FROM booking
         WHERE local_date = ?1 AND service = ?2 AND state = 'booked'
           AND code_hash NOT IN (SELECT booking FROM ticket WHERE booking IS NOT NULL)",
    )?;
    let rows =
        stmt.query_map(params![date.to_string(), service], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u16>(1)?)))?;
    let mut n = 0;
    for row in rows {
        let (start, late) = row?;
        let Ok(start) = start.parse::<crate::hours::TimeOfDay>() else { continue };
        let window_ends =
            date.at(start.hour() as i8, start.minute() as i8, 0, 0) + jiff::Span::new().minutes(i64::from(late));
        if window_ends > now {
            n += 1;
        }
    }
    Ok(n)
}

impl Store {
    /// Replaces the day's copy with the site server's list.
    pub fn set_day_bookings(&mut self, day: &DayBookings) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM booking WHERE local_date = ?1", [day.date.to_string()])?;
        for b in &day.bookings {
            tx.execute(
                "INSERT INTO booking (code_hash, local_date, service, slot_start, slot_end, state, early, late)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (code_hash) DO NOTHING",
                params![
                    b.code_hash,
                    day.date.to_string(),
                    b.service,
                    b.slot_start,
                    b.slot_end,
                    b.state,
                    b.early_minutes,
                    b.late_minutes
                ],
            )?;
        }
        // Days gone are of no use here.
        tx.execute("DELETE FROM booking WHERE local_date < ?1", [day.date.to_string()])?;
        tx.commit()?;
        Ok(())
    }

    /// The booking of `date` with this code's hash, as last listed.
    pub fn booking(&self, code_hash: &str, date: jiff::civil::Date) -> Result<Option<BookingEntry>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT code_hash, service, slot_start, slot_end, state, early, late FROM booking
                 WHERE code_hash = ?1 AND local_date = ?2",
                params![code_hash, date.to_string()],
                |r| {
                    Ok(BookingEntry {
                        code_hash: r.get(0)?,
                        service: r.get(1)?,
                        slot_start: r.get(2)?,
                        slot_end: r.get(3)?,
                        state: r.get(4)?,
                        early_minutes: r.get(5)?,
                        late_minutes: r.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    /// Places held for `date`'s bookings still to come at local time `now`, per service.
    pub fn held_places(
        &self,
        date: jiff::civil::Date,
        now: jiff::civil::DateTime,
    ) -> Result<std::collections::HashMap<String, u32>, StoreError> {
        let services: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT service FROM booking WHERE local_date = ?1 AND state = 'booked'")?
            .query_map([date.to_string()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = std::collections::HashMap::new();
        for s in services {
            let n = held(&self.conn, date, &s, now)?;
            if n > 0 {
                out.insert(s, n);
            }
        }
        Ok(out)
    }

    /// How many of `date`'s bookings still wait to be checked in.
    pub fn bookings_waiting(&self, date: jiff::civil::Date) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row::<i64, _, _>(
                "SELECT count(*) FROM booking WHERE local_date = ?1 AND state = 'booked'",
                [date.to_string()],
                |r| r.get(0),
            )?
            .max(0) as u64)
    }

    /// The ticket this kiosk gave for a booking, if it has checked it in.
    pub fn ticket_of_booking(&self, code_hash: &str) -> Result<Option<Ticket>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{} WHERE booking = ?1", super::tickets::SELECT),
                [code_hash],
                super::tickets::row_to_ticket,
            )
            .optional()?)
    }
}
