use std::process::ExitCode;

use clap::Parser;
use mpp_kiosk::cli::{Cli, Command, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match (cli.verbose, &cli.command) {
        (0, None | Some(Command::Run)) => "info",
        (0, _) => "warn",
        (1, _) => "info",
        _ => "debug",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default_level)).init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mpp-kiosk: {}", mpp_kiosk::text::printable(e.message()));
            e.exit_code()
        }
    }
}
