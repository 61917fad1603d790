//! The citizen satisfaction survey (Survei Kepuasan Masyarakat, PermenPANRB 14/2017): its
//! nine elements with the questions and answer words of the official form, the optional
//! respondent profile, a response, and the index (`ikm`). Pure domain; responses are
//! stored by `store::survey`.

pub mod ikm;

use serde::{Deserialize, Serialize};

use crate::text::Lang;

/// The nine elements (unsur) in the regulation's order.
pub const ELEMENT_CODES: [&str; 9] = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"];

/// One element: its name, the question, and the words of answers 1 to 4.
pub struct Element {
    pub code: &'static str,
    pub name: [&'static str; 2],
    pub question: [&'static str; 2],
    pub answers: [[&'static str; 4]; 2],
}

impl Element {
    pub fn name(&self, lang: Lang) -> &'static str {
        self.name[lang as usize]
    }
    pub fn question(&self, lang: Lang) -> &'static str {
        self.question[lang as usize]
    }
    /// The words of answer `value` (1–4).
    pub fn answer(&self, value: u8, lang: Lang) -> &'static str {
        self.answers[lang as usize][usize::from(value.clamp(1, 4)) - 1]
    }
}

/// The questions and answer words follow the sample form of PermenPANRB 14/2017.
pub const ELEMENTS: [Element; 9] = [
    Element {
        code: "U1",
        name: ["Persyaratan", "Requirements"],
        question: [
            "Bagaimana kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            "How well did the requirements fit the service?",
        ],
        answers: [["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"], ["Poor", "Fair", "Good", "Very good"]],
    },
    Element {
        code: "U2",
        name: ["Sistem, Mekanisme, dan Prosedur", "System, mechanism and procedure"],
        question: ["Bagaimana kemudahan prosedur pelayanan di unit ini?", "How easy was the procedure here?"],
        answers: [["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"], ["Poor", "Fair", "Good", "Very good"]],
    },
    Element {
        code: "U3",
        name: ["Waktu Penyelesaian", "Completion time"],
        question: ["Bagaimana kecepatan waktu dalam memberikan pelayanan?", "How fast was the service?"],
        answers: [["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"], ["Poor", "Fair", "Good", "Very good"]],
    },
    Element {
        code: "U4",
        name: ["Biaya/Tarif", "Fee"],
        question: ["Bagaimana kewajaran biaya/tarif dalam pelayanan?", "How fair was the fee?"],
        answers: [
            ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
            ["Very expensive", "Rather expensive", "Cheap", "Free"],
        ],
    },
    Element {
        code: "U5",
        name: ["Produk Spesifikasi Jenis Pelayanan", "What the service delivers"],
        question: [
            "Bagaimana kesesuaian hasil pelayanan yang Anda terima dengan yang tercantum dalam standar pelayanan?",
            "How well did what you received match the published service standard?",
        ],
        answers: [["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"], ["Poor", "Fair", "Good", "Very good"]],
    },
    Element {
        code: "U6",
        name: ["Kompetensi Pelaksana", "Staff competence"],
        question: ["Bagaimana kemampuan petugas dalam memberikan pelayanan?", "How capable was the staff?"],
        answers: [
            ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"],
            ["Poor", "Fair", "Good", "Very good"],
        ],
    },
    Element {
        code: "U7",
        name: ["Perilaku Pelaksana", "Staff behaviour"],
        question: [
            "Bagaimana kesopanan dan keramahan petugas dalam memberikan pelayanan?",
            "How polite and friendly was the staff?",
        ],
        answers: [
            ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"],
            ["Poor", "Fair", "Good", "Very good"],
        ],
    },
    Element {
        code: "U8",
        name: ["Penanganan Pengaduan, Saran dan Masukan", "Handling of complaints and suggestions"],
        question: [
            "Bagaimana penanganan pengaduan, saran, dan masukan di unit ini?",
            "How are complaints and suggestions handled here?",
        ],
        answers: [
            ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"],
            ["There is none", "There is one, but it does not work", "It works, but not fully", "Handled well"],
        ],
    },
    Element {
        code: "U9",
        name: ["Sarana dan Prasarana", "Facilities"],
        question: [
            "Bagaimana kualitas sarana dan prasarana (ruang tunggu, toilet, parkir)?",
            "How good are the facilities (waiting room, toilets, parking)?",
        ],
        answers: [["Buruk", "Cukup", "Baik", "Sangat baik"], ["Poor", "Fair", "Good", "Very good"]],
    },
];

/// Where a response came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Answered on the kiosk's screen.
    Kiosk,
    /// A paper form keyed in by staff.
    Paper,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Kiosk => "kiosk",
            Source::Paper => "paper",
        }
    }
}

/// The optional profile fields of the survey form, as codes (the words are in [`PROFILE`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub age: Option<String>,
    pub sex: Option<String>,
    pub education: Option<String>,
    pub occupation: Option<String>,
}

/// A profile question: its field, the question, and its choices `(code, [id, en])`.
pub struct ProfileQuestion {
    pub field: &'static str,
    pub question: [&'static str; 2],
    pub choices: &'static [(&'static str, [&'static str; 2])],
}

pub const PROFILE: [ProfileQuestion; 4] = [
    ProfileQuestion {
        field: "age",
        question: ["Berapa usia Anda?", "How old are you?"],
        choices: &[
            ("lt20", ["Di bawah 20 tahun", "Under 20"]),
            ("20-29", ["20–29 tahun", "20–29"]),
            ("30-39", ["30–39 tahun", "30–39"]),
            ("40-49", ["40–49 tahun", "40–49"]),
            ("50-59", ["50–59 tahun", "50–59"]),
            ("60+", ["60 tahun ke atas", "60 or older"]),
        ],
    },
    ProfileQuestion {
        field: "sex",
        question: ["Jenis kelamin", "Sex"],
        choices: &[("L", ["Laki-laki", "Male"]), ("P", ["Perempuan", "Female"])],
    },
    ProfileQuestion {
        field: "education",
        question: ["Pendidikan terakhir", "Highest education"],
        choices: &[
            ("SD", ["SD atau di bawahnya", "Primary school or less"]),
            ("SMP", ["SMP", "Junior high school"]),
            ("SMA", ["SMA/SMK", "Senior high school"]),
            ("D1-D4", ["Diploma (D1–D4)", "Diploma (D1–D4)"]),
            ("S1", ["Sarjana (S1)", "Bachelor's degree"]),
            ("S2+", ["S2 ke atas", "Master's or higher"]),
        ],
    },
    ProfileQuestion {
        field: "occupation",
        question: ["Pekerjaan utama", "Main occupation"],
        choices: &[
            ("PNS", ["PNS / ASN", "Civil servant"]),
            ("TNI-POLRI", ["TNI / POLRI", "Military / police"]),
            ("SWASTA", ["Pegawai swasta", "Private employee"]),
            ("WIRAUSAHA", ["Wirausaha / pedagang", "Self-employed / trader"]),
            ("PETANI-NELAYAN", ["Petani / nelayan", "Farmer / fisher"]),
            ("PELAJAR", ["Pelajar / mahasiswa", "Student"]),
            ("LAINNYA", ["Lainnya", "Other"]),
        ],
    },
];

/// A profile answer is valid when it is one of its question's codes.
pub fn valid_profile_code(field: &str, code: &str) -> bool {
    PROFILE.iter().any(|q| q.field == field && q.choices.iter().any(|(c, _)| *c == code))
}

/// One survey response: the service used, the answers, the optional profile and comment.
/// Anonymous: nothing in it points to a ticket or a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    pub service: String,
    /// `(element code, answer 1–4)`; an element left out was not answered.
    pub answers: Vec<(String, u8)>,
    pub profile: Profile,
    pub comment: Option<String>,
    pub source: Source,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResponseError {
    #[error("answer {index} ({element}) is {value}: answers are 1 to 4")]
    OutOfScale { index: usize, element: String, value: String },
    #[error(
        "{0} answers given: the survey has 9 (U1–U9), in order; leave one empty for no answer, e.g. 4,3,,4,3,4,4,3,4"
    )]
    WrongCount(usize),
    #[error("no answer at all: answer at least one element")]
    Empty,
    #[error("{field} {code:?} is not a choice; choices: {choices}")]
    BadProfile { field: String, code: String, choices: String },
}

/// Reads `4,3,4,4,3,4,4,3,4` (an empty place = unanswered) into `(element, answer)` pairs.
pub fn parse_answers(s: &str) -> Result<Vec<(String, u8)>, ResponseError> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != ELEMENT_CODES.len() {
        return Err(ResponseError::WrongCount(parts.len()));
    }
    let mut out = Vec::new();
    for (i, (p, code)) in parts.iter().zip(ELEMENT_CODES).enumerate() {
        if p.is_empty() {
            continue;
        }
        match p.parse::<u8>() {
            Ok(v @ 1..=4) => out.push((code.to_owned(), v)),
            _ => return Err(ResponseError::OutOfScale { index: i + 1, element: code.into(), value: (*p).into() }),
        }
    }
    if out.is_empty() {
        return Err(ResponseError::Empty);
    }
    Ok(out)
}

/// Checks a profile's codes against the form's choices.
pub fn check_profile(p: &Profile) -> Result<(), ResponseError> {
    for (field, value) in [("age", &p.age), ("sex", &p.sex), ("education", &p.education), ("occupation", &p.occupation)]
    {
        if let Some(code) = value
            && !valid_profile_code(field, code)
        {
            let q = PROFILE.iter().find(|q| q.field == field).expect("a known field");
            return Err(ResponseError::BadProfile {
                field: field.into(),
                code: code.clone(),
                choices: q.choices.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", "),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_with_clear_errors() {
        assert_eq!(parse_answers("4,3,4,4,3,4,4,3,4").unwrap().len(), 9);
        let a = parse_answers("4,3,,4,3,4,4,3,4").unwrap();
        assert_eq!(a.len(), 8);
        assert!(!a.iter().any(|(c, _)| c == "U3"), "an empty place is unanswered");
        assert_eq!(parse_answers("4,3,4").unwrap_err(), ResponseError::WrongCount(3));
        assert_eq!(
            parse_answers("4,3,5,4,3,4,4,3,4").unwrap_err().to_string(),
            "answer 3 (U3) is 5: answers are 1 to 4"
        );
        assert_eq!(parse_answers(",,,,,,,,").unwrap_err(), ResponseError::Empty);
        assert!(
            check_profile(&Profile { sex: Some("X".into()), ..Default::default() })
                .unwrap_err()
                .to_string()
                .contains("choices: L, P")
        );
        for e in &ELEMENTS {
            assert!(!e.answer(4, Lang::En).is_empty());
        }
    }
}
