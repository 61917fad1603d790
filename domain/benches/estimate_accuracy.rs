//! How close the wait estimate comes to the wait citizens then have: realistic days
//! replayed through the real queue engine (`mpp_domain::estimate::simulate`), for each
//! model choice. Prints a table; run with `cargo bench -p mpp-domain --bench estimate_accuracy`.
//! Target: the median absolute error within 25 % of the actual wait.

use mpp_domain::estimate::Summary;
use mpp_domain::estimate::simulate::{Model, run};

fn main() {
    let days = 20;
    let seed = 20261130;
    println!("{days} simulated days after a warm-up day (seed {seed}); errors against the wait each ticket then had\n");
    println!(
        "{:<44} {:>7} {:>9} {:>11} {:>11} {:>9} {:>9}",
        "model", "tickets", "no est.", "med. wait", "med. |err|", "p90 |err|", "med. share"
    );
    let models = [
        ("capped mean + earlier days + counters' time (shipped)", Model::default()),
        ("trimmed mean + earlier days + counters' time", Model { summary: Summary::TrimmedMean, ..Model::default() }),
        ("median + earlier days + counters' time", Model { summary: Summary::Median, ..Model::default() }),
        ("mean + earlier days + counters' time", Model { summary: Summary::Mean, ..Model::default() }),
        ("capped mean, no earlier days", Model { prior: false, ..Model::default() }),
        ("capped mean, blind to counters' time", Model { busy_aware: false, ..Model::default() }),
        ("mean, no earlier days, blind", Model { summary: Summary::Mean, prior: false, busy_aware: false }),
    ];
    let mut shipped_ok = true;
    for (i, (name, model)) in models.iter().enumerate() {
        let f = run(days, seed, *model);
        println!(
            "{:<44} {:>7} {:>9} {:>9.1} m {:>9.1} m {:>7.1} m {:>8.0} %  (p90 {:.0} %)",
            name.chars().take(44).collect::<String>(),
            f.tickets,
            f.without_estimate,
            f.median_wait_min,
            f.median_abs_min,
            f.p90_abs_min,
            f.median_share * 100.0,
            f.p90_share * 100.0
        );
        if i == 0 {
            shipped_ok = f.median_share <= 0.25;
        }
    }
    println!(
        "\ntarget: median |error| <= 25 % of the wait (tickets that waited >= 5 min): {}",
        if shipped_ok { "met" } else { "NOT MET" }
    );
    if !shipped_ok {
        std::process::exit(1);
    }
}
