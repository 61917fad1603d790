//! The slip drawn as the printer would draw it, to a PNG: what `preview:` printers write,
//! so a development machine or a training kiosk shows real slips without hardware.
//!
//! It follows the printer's own geometry: font A cells of 12×24 dots (×n for the large
//! number), 30-dot lines, bold as a double strike, pictures as the same 1-bit dots the
//! encoder sends. The font is Noto Sans Mono, embedded so every machine draws the same.

use std::sync::OnceLock;

use super::bitmap::Bitmap;
use super::slip::{Align, Line, Slip};

const FONT_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSansMono-Regular.ttf");
const CELL_W: u32 = 12;
const CELL_H: u32 = 24;
const LINE_GAP: u32 = 6;
const MARGIN: u32 = 16;

fn font() -> &'static fontdue::Font {
    static FONT: OnceLock<fontdue::Font> = OnceLock::new();
    FONT.get_or_init(|| {
        fontdue::Font::from_bytes(FONT_TTF, fontdue::FontSettings::default()).expect("the embedded font is valid")
    })
}

/// Draws the slip, top margin to cut, `paper.dots()` wide.
pub fn render(slip: &Slip) -> Bitmap {
    let dots = slip.paper.dots();
    let cols = slip.paper.columns();
    let mut blocks: Vec<(u32, Block)> = Vec::new();
    let mut y = MARGIN;
    for line in &slip.lines {
        let block = match line {
            Line::Text { text, align, bold, scale, inverted } => Block::Text {
                text: text.clone(),
                align: *align,
                bold: *bold,
                scale: (*scale).max(1) as u32,
                inverted: *inverted,
            },
            Line::Rule => {
                Block::Text { text: "-".repeat(cols), align: Align::Left, bold: false, scale: 1, inverted: false }
            }
            Line::Feed(n) => Block::Space(*n as u32 * (CELL_H + LINE_GAP)),
            Line::Qr(data) => match Bitmap::qr(data, dots / 2) {
                Ok(b) => Block::Picture(b),
                Err(_) => Block::Space(CELL_H),
            },
            Line::Image(b) => Block::Picture((**b).clone()),
        };
        let h = block.height();
        blocks.push((y, block));
        y += h;
    }
    // The feed before the cut, then a dotted cut line so the picture ends like the paper.
    let height = y + 3 * (CELL_H + LINE_GAP);
    let mut page = Bitmap::blank(dots, height + 2);
    for x in (0..dots).step_by(6) {
        for dx in 0..3 {
            page.set(x + dx, height, true);
        }
    }
    for (y, block) in blocks {
        match block {
            Block::Space(_) => {}
            Block::Picture(b) => {
                let x0 = dots.saturating_sub(b.width) / 2;
                for py in 0..b.height {
                    for px in 0..b.width {
                        if b.get(px, py) {
                            page.set(x0 + px, y + py, true);
                        }
                    }
                }
            }
            Block::Text { text, align, bold, scale, inverted } => {
                let width = text.chars().count() as u32 * CELL_W * scale;
                let x0 = match align {
                    Align::Left => 0,
                    Align::Center => dots.saturating_sub(width) / 2,
                };
                if inverted {
                    for py in y..y + CELL_H * scale {
                        for px in x0..(x0 + width).min(dots) {
                            page.set(px, py, true);
                        }
                    }
                }
                for (i, ch) in text.chars().enumerate() {
                    let cx = x0 + i as u32 * CELL_W * scale;
                    draw_char(&mut page, ch, cx, y, scale, !inverted);
                    if bold {
                        // A double strike, one dot to the right, as the printer does it.
                        draw_char(&mut page, ch, cx + scale, y, scale, !inverted);
                    }
                }
            }
        }
    }
    page
}

enum Block {
    Text { text: String, align: Align, bold: bool, scale: u32, inverted: bool },
    Space(u32),
    Picture(Bitmap),
}

impl Block {
    fn height(&self) -> u32 {
        match self {
            Block::Text { scale, .. } => CELL_H * scale + LINE_GAP,
            Block::Space(h) => *h,
            Block::Picture(b) => b.height + LINE_GAP,
        }
    }
}

/// One character into its cell at (x, y); `ink` is the colour of the strokes.
fn draw_char(page: &mut Bitmap, ch: char, x: u32, y: u32, scale: u32, ink: bool) {
    if ch == ' ' {
        return;
    }
    let font = font();
    // Noto Sans Mono advances 0.6 em: 20 px per 12-dot cell.
    let px = 20.0 * scale as f32;
    let (m, coverage) = font.rasterize(ch, px);
    let lm = font.horizontal_line_metrics(px).expect("a horizontal font");
    let cell_h = (CELL_H * scale) as f32;
    let baseline = y as f32 + (cell_h - (lm.ascent - lm.descent)) / 2.0 + lm.ascent;
    let gx = x as i64 + m.xmin as i64;
    let gy = (baseline - m.height as f32 - m.ymin as f32).round() as i64;
    for row in 0..m.height {
        for col in 0..m.width {
            if coverage[row * m.width + col] >= 110 {
                let (px, py) = (gx + col as i64, gy + row as i64);
                if px >= 0 && py >= 0 {
                    page.set(px as u32, py as u32, ink);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printing::slip::{Line, Paper};

    fn text(t: &str, scale: u8) -> Line {
        Line::Text { text: t.into(), align: Align::Center, bold: false, scale, inverted: false }
    }

    #[test]
    fn draws_ink_where_the_text_is_and_nowhere_else() {
        let slip = Slip { paper: Paper::Mm58, lines: vec![text("KTB-A001", 4)] };
        let page = render(&slip);
        assert_eq!(page.width, 384);
        let ink_in = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| page.get(x, y)).count()
        };
        // 8 characters of 48 dots = 384: the number fills the line.
        assert!(ink_in(0, 48, MARGIN, MARGIN + 96) > 300, "the K is drawn");
        assert_eq!(ink_in(0, 384, MARGIN + 100, page.height - 3), 0, "nothing below the line but the cut mark");
    }

    #[test]
    fn an_inverted_label_is_a_black_band() {
        let slip = Slip {
            paper: Paper::Mm80,
            lines: vec![Line::Text {
                text: "PRIORITAS".into(),
                align: Align::Center,
                bold: true,
                scale: 1,
                inverted: true,
            }],
        };
        let page = render(&slip);
        let x0 = (576 - 9 * 12) / 2;
        assert!(page.get(x0 + 1, MARGIN + 1), "band starts at the text");
        assert!(!page.get(x0 - 2, MARGIN + 1), "and not before it");
    }
}
