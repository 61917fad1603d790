//! A stand-in window that shows what the kiosk loaded and says plainly that the citizen
//! screens are not built yet. Replaced by the real screens in the UI work.

use crate::catalogue::Catalogue;
use crate::text::Lang;

slint::include_modules!();

pub fn run(catalogue: &Catalogue, lang: Lang) -> Result<(), String> {
    let feed = &catalogue.feed;
    let window = PlaceholderWindow::new().map_err(|e| format!("cannot open the kiosk window: {e} (is a display available? set DISPLAY or WAYLAND_DISPLAY)"))?;
    window.set_site_name(feed.site.name.in_lang(lang).into());
    window.set_status_id("Layar kiosk belum selesai dibuat: halaman ini hanya menampilkan katalog yang dimuat.".into());
    window.set_status_en("The kiosk screens are not built yet: this page only shows the catalogue that was loaded.".into());
    let unverified = feed.services.iter().filter(|s| !s.verified).count();
    window.set_catalogue_line(
        format!(
            "Katalog versi {} · {} instansi · {} layanan ({} belum terverifikasi)",
            feed.version,
            feed.agencies.len(),
            feed.services.len(),
            unverified
        )
        .into(),
    );
    let agencies: Vec<String> = feed
        .agencies_in_order()
        .iter()
        .map(|a| format!("• {} ({})", a.short_name.in_lang(lang), feed.services_of(&a.code).count()))
        .collect();
    window.set_agencies(agencies.join("\n").into());
    window.run().map_err(|e| format!("the kiosk window failed: {e}"))
}
