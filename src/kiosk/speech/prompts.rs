//! The speech mode's fixed prompts: each a clip (`<name>.wav`) a site can re-record in its
//! own voice, and the words it says, which are also what the screen shows while it plays.
//! The words live in `assets/speech/prompts.txt` (`name|words`), from which
//! `deploy/speech/make-clips.sh` makes the default clips (espeak-ng's Indonesian voice);
//! `docs/speech-mode.md` lists them. Numbers and letters use the lobby voice's clips
//! (`mpp_domain::voice`: "angka-3", "huruf-k").

/// `name|words` per line; `#` starts a comment.
pub const PROMPTS_TXT: &str = include_str!("../../../assets/speech/prompts.txt");

/// Every prompt: its clip's name and its words.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    PROMPTS_TXT.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).filter_map(|l| l.split_once('|'))
}

/// A prompt's words, for the screen.
pub fn words(name: &str) -> Option<&'static str> {
    all().find(|(n, _)| *n == name).map(|(_, w)| w)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_prompt_the_guide_says_has_words_and_a_clip() {
        let guide = include_str!("guide.rs");
        let used: std::collections::BTreeSet<&str> =
            guide.split('"').filter(|s| s.starts_with("sp-") && s.len() > 3 && !s.contains(' ')).collect();
        assert!(used.len() > 20, "{used:?}");
        for name in &used {
            assert!(super::words(name).is_some(), "the guide says {name}, which assets/speech/prompts.txt lacks");
        }
        for (name, words) in super::all() {
            assert!(name.starts_with("sp-") && !words.trim().is_empty(), "{name}|{words}");
            assert!(
                crate::speech::clips::EMBEDDED.iter().any(|(n, _)| *n == name),
                "{name} has no built-in clip: run deploy/speech/make-clips.sh"
            );
        }
    }
}
