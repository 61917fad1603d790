fn main() {
    #[cfg(feature = "gui")]
    {
        // Screens are written in Indonesian; English comes from the bundled .po file.
        // No per-component context: one Indonesian text has one English text everywhere.
        let config = slint_build::CompilerConfiguration::new()
            .with_bundled_translations("assets/translations")
            .with_default_translation_context(slint_build::DefaultTranslationContext::None)
            // Element info lets the UI tests find elements by their accessible labels;
            // release builds (the kiosk) leave it out.
            .with_debug_info(std::env::var("PROFILE").as_deref() == Ok("debug"));
        slint_build::compile_with_config("ui/app.slint", config).expect("the .slint files compile");
        println!("cargo:rerun-if-changed=assets/translations");
    }
}
