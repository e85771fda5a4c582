//! The architectures the workbench knows. Adding one is one line here.

use anyhow::{Result, bail};
use seq2seq_train::Architecture;

pub fn architectures() -> Vec<Architecture> {
    vec![
        Architecture::of::<seq2seq_encdec::EncoderDecoder>(
            "encdec",
            "RNN encoder-decoder: one fixed-length context vector (Sutskever / Cho 2014)",
        ),
    ]
}

pub fn find(name: &str) -> Result<Architecture> {
    let all = architectures();
    match all.iter().find(|a| a.name == name) {
        Some(a) => Ok(*a),
        None => {
            let names: Vec<&str> = all.iter().map(|a| a.name).collect();
            bail!("unknown architecture `{name}`: expected one of {}", names.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use seq2seq_train::RunConfig;
    use seq2seq_train::trainer::model_config;

    /// `experiments/ARCH.toml` documents the built-in defaults: keep the two in step.
    #[test]
    fn example_configs_are_the_defaults() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments");
        let config = RunConfig::from_file(&root.join("encdec.toml")).unwrap();
        let mut defaults = RunConfig { arch: "encdec".into(), ..RunConfig::default() };
        defaults.model = config.model.clone();
        assert_eq!(config, defaults);
        let model = model_config::<seq2seq_encdec::EncoderDecoder>(&config).unwrap();
        assert_eq!(model, seq2seq_encdec::EncDecConfig::default());
    }

    #[test]
    fn unknown_architectures_are_named() {
        let err = super::find("gpt").err().expect("an error").to_string();
        assert!(err.contains("gpt") && err.contains("encdec"), "{err}");
    }
}
