fn main() {
    #[cfg(feature = "gui")]
    slint_build::compile("ui/placeholder.slint").expect("the .slint files compile");
}
