//! jiff's instants and days as PostgreSQL's `timestamptz` and `date`, in their binary
//! form: no text round trip, no `::text::timestamptz` casts in the queries.

use std::error::Error;

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, WrongType};

type BoxError = Box<dyn Error + Sync + Send>;

/// 2000-01-01T00:00:00Z, PostgreSQL's epoch, in Unix seconds.
const PG_EPOCH_SECS: i64 = 946_684_800;

/// An instant as `timestamptz` (microseconds since 2000-01-01 UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts(pub jiff::Timestamp);

/// A local day as `date` (days since 2000-01-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub jiff::civil::Date);

const PG_EPOCH_DAY: jiff::civil::Date = jiff::civil::date(2000, 1, 1);

fn eight(raw: &[u8]) -> Result<[u8; 8], BoxError> {
    raw.try_into().map_err(|_| "a timestamptz is 8 bytes".into())
}

impl<'a> FromSql<'a> for Ts {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Ts, BoxError> {
        let micros = i64::from_be_bytes(eight(raw)?);
        // ±infinity and anything jiff cannot hold: an error that names the value.
        let secs = micros.div_euclid(1_000_000).checked_add(PG_EPOCH_SECS).ok_or("timestamptz out of range")?;
        let nanos = (micros.rem_euclid(1_000_000) * 1000) as i32;
        Ok(Ts(jiff::Timestamp::new(secs, nanos).map_err(|e| format!("timestamptz {micros}: {e}"))?))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMPTZ
    }
}

impl ToSql for Ts {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let micros = (self.0.as_second() - PG_EPOCH_SECS)
            .checked_mul(1_000_000)
            .and_then(|m| m.checked_add(i64::from(self.0.subsec_microsecond())))
            .ok_or("timestamp out of range")?;
        out.put_i64(micros);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMPTZ
    }

    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        checked(self, ty, out)
    }
}

impl<'a> FromSql<'a> for Day {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Day, BoxError> {
        let days = i32::from_be_bytes(raw.try_into().map_err(|_| "a date is 4 bytes")?);
        let span = jiff::Span::new().try_days(i64::from(days)).map_err(|e| format!("date {days}: {e}"))?;
        Ok(Day(PG_EPOCH_DAY.checked_add(span).map_err(|e| format!("date {days}: {e}"))?))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::DATE
    }
}

impl ToSql for Day {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let days = (self.0 - PG_EPOCH_DAY).get_days();
        out.put_i32(days);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::DATE
    }

    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        checked(self, ty, out)
    }
}

/// `to_sql` after checking the column's type, as `postgres-types`' own impls do.
fn checked<T: ToSql>(value: &T, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    if !T::accepts(ty) {
        return Err(Box::new(WrongType::new::<T>(ty.clone())));
    }
    value.to_sql(ty, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip_ts(t: jiff::Timestamp) -> jiff::Timestamp {
        let mut buf = BytesMut::new();
        Ts(t).to_sql(&Type::TIMESTAMPTZ, &mut buf).unwrap();
        Ts::from_sql(&Type::TIMESTAMPTZ, &buf).unwrap().0
    }

    #[test]
    fn instants_and_days_survive_the_wire() {
        for t in ["2026-11-30T01:05:00.123456Z", "1999-12-31T23:59:59.999999Z", "2000-01-01T00:00:00Z"] {
            let t: jiff::Timestamp = t.parse().unwrap();
            assert_eq!(round_trip_ts(t), t);
        }
        // Nanoseconds are cut to PostgreSQL's microseconds.
        let t: jiff::Timestamp = "2026-11-30T01:05:00.123456789Z".parse().unwrap();
        assert_eq!(round_trip_ts(t).to_string(), "2026-11-30T01:05:00.123456Z");
        for d in [jiff::civil::date(2026, 11, 30), jiff::civil::date(1970, 1, 1), jiff::civil::date(2000, 1, 1)] {
            let mut buf = BytesMut::new();
            Day(d).to_sql(&Type::DATE, &mut buf).unwrap();
            assert_eq!(Day::from_sql(&Type::DATE, &buf).unwrap().0, d);
        }
        // PostgreSQL's 2000-01-01 is day 0 and second 0.
        let mut buf = BytesMut::new();
        Day(PG_EPOCH_DAY).to_sql(&Type::DATE, &mut buf).unwrap();
        assert_eq!(&buf[..], &[0, 0, 0, 0]);
        // 'infinity' is not an instant: refused with a reason, not a panic.
        assert!(Ts::from_sql(&Type::TIMESTAMPTZ, &i64::MAX.to_be_bytes()).is_err());
    }
}
