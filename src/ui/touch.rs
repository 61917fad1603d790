//! Touch follows the picture: when the kiosk draws rotated (`[display] rotation`, which
//! becomes Slint's `SLINT_KMS_ROTATION`), touch screens get the matching libinput
//! calibration matrix and absolute pointers are turned in the event hook ([`Rotator`]), so
//! one setting turns both. A panel's own quirk (a udev `LIBINPUT_CALIBRATION_MATRIX`, the
//! device's default matrix) is kept and composed with it.
//!
//! Slint's software renderer turns the picture clockwise for 90 ("to the right") and
//! reports touch in the rotated window's coordinates, so a touch at the screen's
//! normalised (x, y) must become the window's (y, 1 − x) for 90.

/// A libinput calibration matrix: the top two rows of a 3×3 affine map on normalised
/// coordinates, `x' = m[0]·x + m[1]·y + m[2]`, `y' = m[3]·x + m[4]·y + m[5]`.
pub type Matrix = [f32; 6];

pub const IDENTITY: Matrix = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// The map from the screen's normalised coordinates to the window's, for the picture
/// turned clockwise by `degrees` (0, 90, 180, 270; anything else is no rotation).
pub fn rotation_matrix(degrees: u16) -> Matrix {
    match degrees {
        90 => [0.0, 1.0, 0.0, -1.0, 0.0, 1.0],
        180 => [-1.0, 0.0, 1.0, 0.0, -1.0, 1.0],
        270 => [0.0, -1.0, 1.0, 1.0, 0.0, 0.0],
        _ => IDENTITY,
    }
}

/// `outer ∘ inner`: first the panel's own matrix, then the rotation.
pub fn compose(outer: Matrix, inner: Matrix) -> Matrix {
    let [a, b, c, d, e, f] = outer;
    let [g, h, i, j, k, l] = inner;
    [a * g + b * j, a * h + b * k, a * i + b * l + c, d * g + e * j, d * h + e * k, d * i + e * l + f]
}

/// Applies `m` to a normalised point.
pub fn apply(m: Matrix, (x, y): (f32, f32)) -> (f32, f32) {
    (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5])
}

/// The rotation Slint draws with, from the environment it reads itself.
pub fn drawing_rotation() -> u16 {
    std::env::var("SLINT_KMS_ROTATION").ok().and_then(|r| r.trim().parse().ok()).unwrap_or(0)
}

/// Turns the kiosk's input with its picture, inside Slint's libinput event hook.
///
/// Touch screens get a libinput calibration matrix when they appear (composed with the
/// panel's own udev matrix). Absolute pointers — touch panels in "mouse mode", QEMU's
/// tablet — take no calibration matrix in libinput, so their motion and buttons are turned
/// here and handed to the window directly; relative mice are left to Slint.
#[cfg(feature = "kiosk")]
pub struct Rotator {
    degrees: u16,
    /// Where the last absolute motion put the pointer, in window coordinates; `None`
    /// after a relative motion (a mouse), whose buttons Slint places itself.
    pointer: std::cell::Cell<Option<slint::LogicalPosition>>,
}

#[cfg(feature = "kiosk")]
impl Rotator {
    pub fn new(degrees: u16) -> Rotator {
        Rotator { degrees, pointer: std::cell::Cell::new(None) }
    }

    /// Handles `event` if it needs turning; `true` when it was consumed here.
    /// `window` gives the running window (`None` before it exists).
    pub fn handle<C: slint::ComponentHandle>(&self, event: &input::Event, window: impl Fn() -> Option<C>) -> bool {
        use input::event::pointer::{ButtonState, PointerEvent};
        use input::event::{DeviceEvent, EventTrait};
        use slint::platform::{PointerEventButton, WindowEvent};
        if self.degrees == 0 {
            return false;
        }
        match event {
            input::Event::Device(DeviceEvent::Added(added)) => {
                let mut device = added.device();
                if device.has_capability(input::DeviceCapability::Touch) {
                    calibrate(&mut device, self.degrees);
                }
                false
            }
            input::Event::Pointer(PointerEvent::Motion(_)) => {
                self.pointer.set(None);
                false
            }
            input::Event::Pointer(PointerEvent::MotionAbsolute(m)) => {
                let Some(component) = window() else { return false };
                let window = component.window();
                const SCALE: u32 = 1 << 20;
                let screen = (
                    m.absolute_x_transformed(SCALE) as f32 / SCALE as f32,
                    m.absolute_y_transformed(SCALE) as f32 / SCALE as f32,
                );
                let (x, y) = apply(rotation_matrix(self.degrees), screen);
                let size = window.size().to_logical(window.scale_factor());
                let position =
                    slint::LogicalPosition::new(x.clamp(0.0, 1.0) * size.width, y.clamp(0.0, 1.0) * size.height);
                self.pointer.set(Some(position));
                window.dispatch_event(WindowEvent::PointerMoved { position });
                true
            }
            input::Event::Pointer(PointerEvent::Button(b)) => {
                let (Some(position), Some(component)) = (self.pointer.get(), window()) else { return false };
                let window = component.window();
                // BTN_LEFT, BTN_RIGHT, BTN_MIDDLE (input-event-codes.h).
                let button = match b.button() {
                    0x110 => PointerEventButton::Left,
                    0x111 => PointerEventButton::Right,
                    0x112 => PointerEventButton::Middle,
                    _ => PointerEventButton::Other,
                };
                window.dispatch_event(match b.button_state() {
                    ButtonState::Pressed => WindowEvent::PointerPressed { position, button },
                    ButtonState::Released => WindowEvent::PointerReleased { position, button },
                });
                true
            }
            _ => false,
        }
    }
}

/// Gives a touch device the matrix for `degrees` on top of its default (udev) matrix.
#[cfg(feature = "kiosk")]
fn calibrate(device: &mut input::Device, degrees: u16) {
    if !device.config_calibration_has_matrix() {
        log::warn!(
            "touch device {:?} takes no calibration matrix: touches will not turn with the picture",
            device.name()
        );
        return;
    }
    let default = device.config_calibration_default_matrix().unwrap_or(IDENTITY);
    let m = compose(rotation_matrix(degrees), default);
    match device.config_calibration_set_matrix(m) {
        Ok(()) => log::info!("touch device {:?} turned {degrees}° with the picture: matrix {m:?}", device.name()),
        Err(e) => log::error!(
            "touch device {:?} cannot be turned {degrees}°: {e:?}; touches will miss the picture",
            device.name()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a window point appears on the screen when Slint turns the picture clockwise
    /// by `degrees`: computed from the picture's corners, independently of the matrices.
    fn on_screen(degrees: u16, (x, y): (f32, f32)) -> (f32, f32) {
        match degrees {
            90 => (1.0 - y, x),
            180 => (1.0 - x, 1.0 - y),
            270 => (y, 1.0 - x),
            _ => (x, y),
        }
    }

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 1e-5 && (a.1 - b.1).abs() < 1e-5
    }

    #[test]
    fn a_touch_on_the_picture_lands_on_the_same_point_of_the_window() {
        for degrees in [0, 90, 180, 270] {
            for p in [(0.1, 0.2), (0.9, 0.05), (0.5, 0.5), (0.3, 0.8)] {
                let touched = on_screen(degrees, p);
                assert!(close(apply(rotation_matrix(degrees), touched), p), "{degrees}°: {p:?} drawn at {touched:?}");
            }
        }
    }

    #[test]
    fn a_panel_quirk_is_kept_under_the_rotation() {
        // A panel wired with its x axis mirrored: its default matrix mirrors it back.
        let mirror = [-1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        let m = compose(rotation_matrix(90), mirror);
        let p = (0.25, 0.6);
        let screen = on_screen(90, p);
        let raw = (1.0 - screen.0, screen.1);
        assert!(close(apply(m, raw), p));
        assert_eq!(compose(IDENTITY, mirror), mirror);
    }
}
