//! Wait estimates: how long until a waiting ticket is called, from what the site server
//! measured. A counter's *cycle* is the time from calling a ticket to being free for the
//! next (walking up, the service, a no-show's recalls). With `c` counters open, each
//! becoming free when its current citizen is done, the people ahead are handed out to the
//! first free counter one by one; the ticket is called when a counter frees after them.
//!
//! The cycle is measured today: the mean of the last [`RECENT`] cycles of the service, each
//! capped at three times their median (one citizen kept at a counter for an hour must not
//! move everyone's estimate, but the long visits that do happen must count: the median or a
//! trimmed mean under-estimates, as the accuracy benchmark shows) and blended with earlier days' figure, which carries the morning before
//! anything is measured. Plain numbers in, seconds out; `simulate` checks it against
//! realistic days run through the real queue engine.

pub mod simulate;

use crate::text::Lang;

/// Today's cycles used: the most recent ones (the pace changes through the day).
pub const RECENT: usize = 20;
/// How many of today's cycles the earlier days' figure counts as.
pub const PRIOR_WEIGHT: f64 = 5.0;
/// A counter busy longer than the cycle is still expected to need this share of a cycle.
const LEAST_REMAINING: f64 = 0.15;

/// How today's cycles are summarised (the accuracy benchmark compares them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    Mean,
    Median,
    /// The mean of the middle 80 %.
    TrimmedMean,
    /// The mean with each value capped at three times the median: what the estimate uses.
    CappedMean,
}

/// The cycle to plan with, in seconds: today's recent cycles (`today`, oldest first)
/// blended with earlier days' figure; `None` when there is neither.
pub fn cycle_secs(today: &[u32], prior: Option<f64>, summary: Summary) -> Option<f64> {
    let recent = &today[today.len().saturating_sub(RECENT)..];
    let measured = summarise(recent, summary);
    match (measured, prior) {
        (None, p) => p,
        (Some(m), None) => Some(m),
        (Some(m), Some(p)) => {
            let n = recent.len() as f64;
            Some((m * n + p * PRIOR_WEIGHT) / (n + PRIOR_WEIGHT))
        }
    }
}

/// The cycles summarised one way; `None` for none.
pub fn summarise(xs: &[u32], how: Summary) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v: Vec<f64> = xs.iter().map(|&x| f64::from(x)).collect();
    v.sort_by(f64::total_cmp);
    Some(match how {
        Summary::Mean => v.iter().sum::<f64>() / v.len() as f64,
        Summary::Median => {
            let m = v.len() / 2;
            if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
        }
        Summary::TrimmedMean => {
            let cut = v.len() / 10;
            let mid = &v[cut..v.len() - cut];
            mid.iter().sum::<f64>() / mid.len() as f64
        }
        Summary::CappedMean => {
            let m = v.len() / 2;
            let median = if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 };
            v.iter().map(|x| x.min(3.0 * median)).sum::<f64>() / v.len() as f64
        }
    })
}

/// What the estimate knows about one service's line at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct LineNow {
    /// People called before this ticket (priority ones included).
    pub ahead: usize,
    /// Counters serving the service and not paused.
    pub counters_open: usize,
    /// For each ticket at those counters now, seconds since it was called.
    pub at_counters: Vec<u32>,
    /// From [`cycle_secs`].
    pub cycle_secs: f64,
}

/// Seconds until the ticket is called; `None` when no counter serves the service now.
pub fn wait_secs(line: &LineNow) -> Option<f64> {
    if line.counters_open == 0 || line.cycle_secs <= 0.0 {
        return None;
    }
    let cycle = line.cycle_secs;
    // When each open counter is next free: busy ones after the rest of their cycle.
    let mut busy = line.at_counters.clone();
    busy.sort_unstable_by(|a, b| b.cmp(a)); // the longest-busy are the likeliest to free first
    let mut free: Vec<f64> = (0..line.counters_open)
        .map(|i| busy.get(i).map_or(0.0, |&e| (cycle - f64::from(e)).max(cycle * LEAST_REMAINING)))
        .collect();
    for _ in 0..line.ahead {
        let i = first_free(&free);
        free[i] += cycle;
    }
    Some(free[first_free(&free)])
}

fn first_free(free: &[f64]) -> usize {
    free.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

/// An estimate as citizens read it: whole minutes, rounded to 5 (the model is not finer
/// than that), never "0" (a call can always take a minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Minutes(pub u32);

impl Minutes {
    pub fn of_secs(secs: f64) -> Minutes {
        Minutes((secs / 60.0).round().max(0.0) as u32)
    }

    /// "Perkiraan tunggu ±25 menit", "kurang dari 5 menit", "lebih dari 2 jam".
    pub fn text(self, lang: Lang) -> String {
        let m = self.0;
        match lang {
            Lang::Id if m < 5 => "Perkiraan tunggu: kurang dari 5 menit".into(),
            Lang::Id if m > 120 => "Perkiraan tunggu: lebih dari 2 jam".into(),
            Lang::Id => format!("Perkiraan tunggu \u{b1}{} menit", round5(m)),
            Lang::En if m < 5 => "Estimated wait: under 5 minutes".into(),
            Lang::En if m > 120 => "Estimated wait: over 2 hours".into(),
            Lang::En => format!("Estimated wait \u{b1}{} minutes", round5(m)),
        }
    }

    /// "±25 mnt" for a service row, where space is short.
    pub fn short(self, lang: Lang) -> String {
        let m = self.0;
        match lang {
            Lang::Id if m < 5 => "< 5 menit".into(),
            Lang::En if m < 5 => "< 5 min".into(),
            Lang::Id if m > 120 => "> 2 jam".into(),
            Lang::En if m > 120 => "> 2 h".into(),
            Lang::Id => format!("\u{b1}{} menit", round5(m)),
            Lang::En => format!("\u{b1}{} min", round5(m)),
        }
    }
}

fn round5(m: u32) -> u32 {
    (m + 2) / 5 * 5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ahead: usize, open: usize, at: &[u32], cycle: f64) -> LineNow {
        LineNow { ahead, counters_open: open, at_counters: at.to_vec(), cycle_secs: cycle }
    }

    #[test]
    fn the_first_free_counter_takes_the_next_person() {
        // One counter, idle: called at once; three ahead at 10 minutes each: 30 minutes.
        assert_eq!(wait_secs(&line(0, 1, &[], 600.0)), Some(0.0));
        assert_eq!(wait_secs(&line(3, 1, &[], 600.0)), Some(1800.0));
        // Busy for 4 of its 10 minutes: free in 6, then three more before us.
        assert_eq!(wait_secs(&line(3, 1, &[240], 600.0)), Some(360.0 + 1800.0));
        // Two counters, one busy 2 min, one idle; 3 ahead: idle takes #1 (free at 10),
        // the busy one frees at 8 and takes #2 (free at 18), #3 goes at 10 (free at 20),
        // we go at 18.
        assert_eq!(wait_secs(&line(3, 2, &[120], 600.0)), Some(1080.0));
        // A counter kept past its cycle still needs a little.
        assert_eq!(wait_secs(&line(0, 1, &[900], 600.0)), Some(90.0));
        // No counter open: no number.
        assert_eq!(wait_secs(&line(2, 0, &[], 600.0)), None);
    }

    #[test]
    fn the_cycle_blends_today_with_earlier_days_and_ignores_one_long_visit() {
        assert_eq!(cycle_secs(&[], None, Summary::CappedMean), None);
        assert_eq!(cycle_secs(&[], Some(480.0), Summary::CappedMean), Some(480.0), "the morning: earlier days");
        // Five cycles of 300 s today against a prior of 600: half way.
        assert_eq!(cycle_secs(&[300; 5], Some(600.0), Summary::CappedMean), Some(450.0));
        // One citizen for an hour among ten of 5 minutes counts as 15 minutes, not 60.
        let mut day = vec![300; 9];
        day.push(3600);
        assert_eq!(cycle_secs(&day, None, Summary::CappedMean), Some(360.0));
        assert_eq!(cycle_secs(&day, None, Summary::TrimmedMean), Some(300.0));
        assert_eq!(cycle_secs(&day, None, Summary::Mean), Some(630.0));
        // Only the recent cycles count.
        let mut long_ago = vec![1200; 30];
        long_ago.extend([300; RECENT]);
        assert_eq!(cycle_secs(&long_ago, None, Summary::Median), Some(300.0));
    }

    #[test]
    fn minutes_read_honestly() {
        assert_eq!(Minutes::of_secs(170.0).text(Lang::Id), "Perkiraan tunggu: kurang dari 5 menit");
        assert_eq!(Minutes::of_secs(23.0 * 60.0).text(Lang::Id), "Perkiraan tunggu \u{b1}25 menit");
        assert_eq!(Minutes::of_secs(22.0 * 60.0).text(Lang::En), "Estimated wait \u{b1}20 minutes");
        assert_eq!(Minutes(130).text(Lang::Id), "Perkiraan tunggu: lebih dari 2 jam");
        assert_eq!(Minutes(37).short(Lang::Id), "\u{b1}35 menit");
    }
}
