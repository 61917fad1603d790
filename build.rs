fn main() {
    #[cfg(feature = "gui")]
    {
        // Screens are written in Indonesian; English comes from the bundled .po file.
        // No per-component context: one Indonesian text has one English text everywhere.
        let config = slint_build::CompilerConfiguration::new()
            .with_bundled_translations("assets/translations")
            .with_default_translation_context(slint_build::DefaultTranslationContext::None);
        slint_build::compile_with_config("ui/app.slint", config).expect("the .slint files compile");
        println!("cargo:rerun-if-changed=assets/translations");
    }
}
