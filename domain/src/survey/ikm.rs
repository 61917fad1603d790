//! The index of citizen satisfaction (IKM) exactly as PermenPANRB 14/2017 computes it:
//! per element the NRR (mean of its answers, 1–4), weighted by 1/n; the IKM is their sum
//! (1–4), converted ×25 (25–100), and graded A–D by the regulation's interval table.
//! Pure: no clock, no database.

use serde::Serialize;

/// Service quality grade (mutu pelayanan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    /// The grade of a converted value (25–100), read to two decimals as reports print it:
    /// D 25.00–64.99, C 65.00–76.60, B 76.61–88.30, A 88.31–100.00.
    pub fn of_converted(converted: f64) -> Grade {
        let hundredths = (converted * 100.0).round() as i64;
        if hundredths >= 8831 {
            Grade::A
        } else if hundredths >= 7661 {
            Grade::B
        } else if hundredths >= 6500 {
            Grade::C
        } else {
            Grade::D
        }
    }

    /// The regulation's words for the grade (kinerja unit pelayanan).
    pub fn words(self, lang: crate::text::Lang) -> &'static str {
        use crate::text::Lang::*;
        match (self, lang) {
            (Grade::A, Id) => "Sangat Baik",
            (Grade::B, Id) => "Baik",
            (Grade::C, Id) => "Kurang Baik",
            (Grade::D, Id) => "Tidak Baik",
            (Grade::A, En) => "Very good",
            (Grade::B, En) => "Good",
            (Grade::C, En) => "Poor",
            (Grade::D, En) => "Not good",
        }
    }
}

/// One element's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementScore {
    pub element: String,
    /// Respondents who answered this element.
    pub answered: u32,
    /// Sum of the answers.
    pub total: u32,
    /// Nilai rata-rata (NRR): total / answered.
    pub nrr: f64,
    /// NRR × weight (1/n).
    pub weighted: f64,
    /// The element's own grade (its NRR × 25 on the same table).
    pub grade: Grade,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ikm {
    pub respondents: u32,
    /// The weight of each element, 1/n.
    pub weight: f64,
    pub elements: Vec<ElementScore>,
    /// Sum of the weighted NRRs (1–4).
    pub ikm: f64,
    /// IKM × 25 (25–100).
    pub converted: f64,
    pub grade: Grade,
}

/// Computes the IKM of `responses` over `elements` (codes in report order). A response
/// holds `(element, answer 1–4)` pairs; an element a respondent left out counts for
/// neither its total nor its number of answers. An element nobody answered is left out of
/// the index and the weights become 1/n over the elements that were answered (so a
/// missing question cannot drag the index down). Returns `None` with no answers at all.
pub fn compute<'a>(elements: &[String], responses: impl IntoIterator<Item = &'a [(String, u8)]>) -> Option<Ikm> {
    let mut totals = vec![(0u32, 0u32); elements.len()];
    let mut respondents = 0;
    for r in responses {
        respondents += 1;
        for (code, value) in r {
            if let Some(i) = elements.iter().position(|e| e == code)
                && (1..=4).contains(value)
            {
                totals[i].0 += 1;
                totals[i].1 += u32::from(*value);
            }
        }
    }
    let answered = totals.iter().filter(|(n, _)| *n > 0).count();
    if answered == 0 {
        return None;
    }
    let weight = 1.0 / answered as f64;
    let scores: Vec<ElementScore> = elements
        .iter()
        .zip(&totals)
        .filter(|(_, (n, _))| *n > 0)
        .map(|(e, &(n, total))| {
            let nrr = f64::from(total) / f64::from(n);
            ElementScore {
                element: e.clone(),
                answered: n,
                total,
                nrr,
                weighted: nrr * weight,
                grade: Grade::of_converted(nrr * 25.0),
            }
        })
        .collect();
    let ikm: f64 = scores.iter().map(|s| s.weighted).sum();
    let converted = ikm * 25.0;
    Some(Ikm { respondents, weight, elements: scores, ikm, converted, grade: Grade::of_converted(converted) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::ELEMENT_CODES;

    fn nine() -> Vec<String> {
        ELEMENT_CODES.iter().map(|s| s.to_string()).collect()
    }

    fn response(answers: [u8; 9]) -> Vec<(String, u8)> {
        ELEMENT_CODES.iter().zip(answers).map(|(c, a)| (c.to_string(), a)).collect()
    }

    #[test]
    fn the_interval_table_edges() {
        assert_eq!(Grade::of_converted(25.0), Grade::D);
        assert_eq!(Grade::of_converted(64.99), Grade::D);
        assert_eq!(Grade::of_converted(65.00), Grade::C);
        assert_eq!(Grade::of_converted(76.60), Grade::C);
        assert_eq!(Grade::of_converted(76.61), Grade::B);
        assert_eq!(Grade::of_converted(88.30), Grade::B);
        assert_eq!(Grade::of_converted(88.31), Grade::A);
        assert_eq!(Grade::of_converted(100.0), Grade::A);
        // The NRR intervals of the table, ×25: 2.5996 → 64.99, 3.064 → 76.60, 3.0644 → 76.61,
        // 3.532 → 88.30, 3.5324 → 88.31.
        assert_eq!(Grade::of_converted(2.5996 * 25.0), Grade::D);
        assert_eq!(Grade::of_converted(2.60 * 25.0), Grade::C);
        assert_eq!(Grade::of_converted(3.064 * 25.0), Grade::C);
        assert_eq!(Grade::of_converted(3.0644 * 25.0), Grade::B);
        assert_eq!(Grade::of_converted(3.532 * 25.0), Grade::B);
        assert_eq!(Grade::of_converted(3.5324 * 25.0), Grade::A);
    }

    /// Worked by hand, the regulation's way. Four respondents:
    ///   R1 4 4 3 4 3 3 4 3 3      U1: 4+3+4+3 = 14 → NRR 3.50
    ///   R2 3 3 3 4 3 4 4 2 3      U2: 4+3+3+3 = 13 → 3.25
    ///   R3 4 3 2 4 4 3 4 3 2      U3: 3+3+2+3 = 11 → 2.75
    ///   R4 3 3 3 4 3 3 4 3 3      U4: 16 → 4.00   U5: 13 → 3.25   U6: 13 → 3.25
    ///                             U7: 16 → 4.00   U8: 11 → 2.75   U9: 11 → 2.75
    /// Sum of NRRs = 29.50; IKM = 29.50 / 9 = 3.2778; converted = 81.94 → B (Baik).
    #[test]
    fn a_hand_worked_example() {
        let rs = [
            response([4, 4, 3, 4, 3, 3, 4, 3, 3]),
            response([3, 3, 3, 4, 3, 4, 4, 2, 3]),
            response([4, 3, 2, 4, 4, 3, 4, 3, 2]),
            response([3, 3, 3, 4, 3, 3, 4, 3, 3]),
        ];
        let ikm = compute(&nine(), rs.iter().map(|r| r.as_slice())).unwrap();
        assert_eq!(ikm.respondents, 4);
        let nrr: Vec<f64> = ikm.elements.iter().map(|e| e.nrr).collect();
        assert_eq!(nrr, [3.5, 3.25, 2.75, 4.0, 3.25, 3.25, 4.0, 2.75, 2.75]);
        assert!((ikm.weight - 1.0 / 9.0).abs() < 1e-12);
        assert!((ikm.ikm - 29.5 / 9.0).abs() < 1e-12);
        assert_eq!(format!("{:.2}", ikm.converted), "81.94");
        assert_eq!(ikm.grade, Grade::B);
        assert_eq!(ikm.elements[2].grade, Grade::C, "U3 at 2.75 ×25 = 68.75 is C");
    }

    #[test]
    fn unanswered_elements_and_extra_elements() {
        // R2 left U9 out: U9's NRR is R1's alone.
        let mut r2 = response([2, 2, 2, 2, 2, 2, 2, 2, 2]);
        r2.pop();
        let rs = [response([4; 9]), r2];
        let ikm = compute(&nine(), rs.iter().map(|r| r.as_slice())).unwrap();
        assert_eq!((ikm.elements[8].answered, ikm.elements[8].nrr), (1, 4.0));
        assert_eq!(ikm.elements[0].nrr, 3.0);
        // (8 × 3 + 4) / 9 = 3.1111 → 77.78 → B
        assert_eq!(format!("{:.2}", ikm.converted), "77.78");

        // An agency adds a tenth element: weights become 1/10.
        let mut ten = nine();
        ten.push("U10".into());
        let mut r = response([3; 9]);
        r.push(("U10".into(), 1));
        let ikm = compute(&ten, [r.as_slice()]).unwrap();
        assert!((ikm.weight - 0.1).abs() < 1e-12);
        assert!((ikm.ikm - 2.8).abs() < 1e-12, "(9 × 3 + 1) / 10");
        assert_eq!(ikm.converted, 70.0);
        assert_eq!(ikm.grade, Grade::C);

        // An element nobody answered is left out of the index, not counted as zero.
        let only_u1 = [("U1".to_owned(), 4u8)];
        let ikm = compute(&nine(), [only_u1.as_slice()]).unwrap();
        assert_eq!((ikm.elements.len(), ikm.converted, ikm.grade), (1, 100.0, Grade::A));
        assert!(compute(&nine(), std::iter::empty()).is_none());
        // Out-of-scale answers are ignored.
        let bad = [("U1".to_owned(), 7u8)];
        assert!(compute(&nine(), [bad.as_slice()]).is_none());
    }

    #[test]
    fn the_edges_from_answers() {
        // Every element 3,3,3,2,2 → NRR 2.6 → IKM 2.6 → 65.00, the first C.
        let rs: Vec<_> = [3, 3, 3, 2, 2].into_iter().map(|a| response([a; 9])).collect();
        let ikm = compute(&nine(), rs.iter().map(|r| r.as_slice())).unwrap();
        assert_eq!((format!("{:.2}", ikm.converted), ikm.grade), ("65.00".into(), Grade::C));
        // One respondent less at 2: 3,3,3,2 → 2.75 …; 2,2,2,2,3 → 2.2 → 55.00 D.
        let rs: Vec<_> = [2, 2, 2, 2, 3].into_iter().map(|a| response([a; 9])).collect();
        assert_eq!(compute(&nine(), rs.iter().map(|r| r.as_slice())).unwrap().grade, Grade::D);
    }
}
