//! `mpp-kiosk speech …`: hear what the speech mode says — a text, or a service's reading —
//! with this kiosk's synthesizer and pronunciation list, and list its prompts.

use std::sync::Arc;
use std::time::Duration;

use super::{CliError, Context, SpeechCommand, ensure_catalogue};
use crate::kiosk::speech::{Utterance, guide, prompts};
use crate::kiosk::{Event, Flow, Screen, Timing};

pub fn run(ctx: &Context, cmd: SpeechCommand) -> Result<(), CliError> {
    if let SpeechCommand::Prompts = cmd {
        for (name, words) in prompts::all() {
            println!("{name}\t{words}");
        }
        return Ok(());
    }
    let catalogue = ensure_catalogue(&mut ctx.open_store()?)?;
    let config = &ctx.config.config.speech;
    let synth = config.synth(catalogue.feed.site.pronunciations.clone());
    let (clips, problems) = crate::speech::Clips::load(config.clips_dir.as_deref());
    for p in problems {
        eprintln!("warning: {p}");
    }
    let (utterance, wav) = match cmd {
        SpeechCommand::Say { text, wav } => (Utterance::new().text(text), wav),
        SpeechCommand::Service { code, wav } => {
            let code = code.to_uppercase();
            if catalogue.feed.service(&code).is_none() {
                return Err(CliError::BadInput(format!("unknown service {code:?} (`catalogue list` shows the codes)")));
            }
            let now = crate::clock::now()?;
            let local = crate::store::local_time(&catalogue, now).map_err(|e| CliError::Failed(e.to_string()))?;
            let mut flow = Flow::new(
                Arc::new(catalogue),
                crate::text::Lang::Id,
                Timing::with_idle(Duration::from_secs(60)),
                Duration::ZERO,
            );
            flow.today.local = Some(local.datetime());
            flow.handle(Event::Service(code.clone()), Duration::ZERO);
            if flow.screen != Screen::Detail {
                return Err(CliError::BadInput(format!("{code} is not offered (inactive)")));
            }
            let u = guide::detail(&flow);
            println!("{}", u.shown);
            (u, wav)
        }
        SpeechCommand::Prompts => unreachable!("answered above"),
    };
    let (samples, took) =
        crate::speech::render(&utterance, &clips, &synth).map_err(|e| CliError::Failed(e.to_string()))?;
    let seconds = samples.len() as f64 / f64::from(crate::speech::clips::RATE);
    eprintln!("{seconds:.1} s of speech; the synthesizer took {} ms", took.as_millis());
    match wav {
        Some(path) => crate::speech::write_wav(&path, &samples)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display()))),
        None => {
            use std::io::Write;
            let mut child = crate::speech::voice::aplay(&config.device).spawn().map_err(|e| {
                CliError::Failed(format!("aplay cannot run: {e} (apt install alsa-utils, or use --wav FILE)"))
            })?;
            let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
            child.stdin.take().expect("piped").write_all(&bytes).map_err(|e| CliError::Failed(e.to_string()))?;
            let status = child.wait().map_err(|e| CliError::Failed(e.to_string()))?;
            if status.success() { Ok(()) } else { Err(CliError::Failed(format!("aplay: {status}"))) }
        }
    }
}
