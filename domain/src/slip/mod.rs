//! The queue slip, the same from the kiosk's printer and the site server's desk printer:
//! its layout (`layout`: lines of ASCII text, rules, pictures, a QR code), its one-bit
//! pictures (`bitmap`: the logo, a raster QR code) and its ESC/POS bytes (`encode`). Pure:
//! bytes out, no printer; sending them is each half's own.

pub mod bitmap;
pub mod encode;
pub mod layout;

pub use bitmap::Bitmap;
pub use encode::{QrMode, encode};
pub use layout::{Paper, Slip, SlipInput, layout};
