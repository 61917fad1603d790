//! The satisfaction survey (SKM): pick the service, nine questions, four optional profile
//! questions, an optional comment, thanks. Every question can be skipped.

use std::time::Duration;

use super::{Command, Event, Flow, Screen, SurveyDraft};

impl Flow {
    pub(super) fn survey_event(&mut self, event: Event, now: Duration) -> Option<Command> {
        match event {
            Event::StartSurvey if self.screen == Screen::Welcome => {
                self.survey = Some(SurveyDraft::default());
                self.screen = Screen::Agencies;
            }
            Event::Answer(v) => {
                if self.screen != Screen::SurveyQuestion || !(1..=4).contains(&v) {
                    return None;
                }
                let draft = self.survey.as_mut()?;
                draft.answers[draft.step] = Some(v);
                self.next_survey_step();
            }
            Event::ProfileChoice(i) => {
                if self.screen != Screen::SurveyProfile {
                    return None;
                }
                let draft = self.survey.as_mut()?;
                let q = &crate::survey::PROFILE[draft.step];
                let (code, _) = q.choices.get(i)?;
                let value = Some((*code).to_owned());
                match q.field {
                    "age" => draft.profile.age = value,
                    "sex" => draft.profile.sex = value,
                    "education" => draft.profile.education = value,
                    _ => draft.profile.occupation = value,
                }
                self.next_survey_step();
            }
            Event::Skip => {
                if matches!(self.screen, Screen::SurveyQuestion | Screen::SurveyProfile) {
                    self.next_survey_step();
                } else if self.screen == Screen::SurveyComment {
                    return self.submit_survey(now);
                }
            }
            Event::Comment(text) => {
                if self.screen == Screen::SurveyComment
                    && let Some(d) = self.survey.as_mut()
                {
                    d.comment = text.chars().take(300).collect();
                }
            }
            Event::SubmitSurvey if self.screen == Screen::SurveyComment => {
                return self.submit_survey(now);
            }
            // The other events belong to the citizen's path, the staff screen or every screen.
            _ => {}
        }
        None
    }

    /// Back within the survey: one question back. Returns whether it was handled here.
    pub(super) fn survey_back(&mut self) -> bool {
        let Some(draft) = self.survey.as_mut() else { return false };
        match self.screen {
            Screen::SurveyQuestion | Screen::SurveyProfile if draft.step > 0 => draft.step -= 1,
            Screen::SurveyQuestion => self.screen = Screen::Services,
            Screen::SurveyProfile => {
                draft.step = crate::survey::ELEMENTS.len() - 1;
                self.screen = Screen::SurveyQuestion;
            }
            Screen::SurveyComment => {
                draft.step = crate::survey::PROFILE.len() - 1;
                self.screen = Screen::SurveyProfile;
            }
            _ => return false,
        }
        true
    }

    fn next_survey_step(&mut self) {
        let Some(draft) = self.survey.as_mut() else { return };
        match self.screen {
            Screen::SurveyQuestion if draft.step + 1 < crate::survey::ELEMENTS.len() => draft.step += 1,
            Screen::SurveyQuestion => {
                draft.step = 0;
                self.screen = Screen::SurveyProfile;
            }
            Screen::SurveyProfile if draft.step + 1 < crate::survey::PROFILE.len() => draft.step += 1,
            Screen::SurveyProfile => self.screen = Screen::SurveyComment,
            _ => {}
        }
    }

    /// Ends the survey: a response with at least one answer is saved; one with none is
    /// not a response and is dropped (the citizen still sees the thanks).
    fn submit_survey(&mut self, now: Duration) -> Option<Command> {
        let draft = self.survey.take()?;
        self.screen = Screen::SurveyThanks;
        self.done_since = Some(now);
        let answers: Vec<(String, u8)> = crate::survey::ELEMENT_CODES
            .iter()
            .zip(draft.answers)
            .filter_map(|(c, a)| a.map(|v| ((*c).to_owned(), v)))
            .collect();
        let service = draft.service?;
        if answers.is_empty() {
            return None;
        }
        let comment = Some(draft.comment.trim().to_owned()).filter(|c| !c.is_empty());
        Some(Command::SaveSurvey(crate::survey::Response {
            service,
            answers,
            profile: draft.profile,
            comment,
            source: crate::survey::Source::Kiosk,
        }))
    }
}
