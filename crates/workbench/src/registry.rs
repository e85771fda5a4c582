//! The architectures the workbench knows. Adding one is one line here.

use anyhow::{Result, bail};
use seq2seq_train::Architecture;

pub fn architectures() -> Vec<Architecture> {
    vec![
        Architecture::of::<seq2seq_ann::Ann>("ann", "feed-forward network over a window of words, one output per slot"),
        Architecture::of::<seq2seq_rnn::Rnn>("rnn", "Elman RNN, left to right, one output per slot"),
        Architecture::of::<seq2seq_lstm::Lstm>("lstm", "LSTM, left to right, one output per slot"),
        Architecture::of::<seq2seq_birnn::BiRnn>("birnn", "bidirectional LSTM, one output per slot"),
        Architecture::of::<seq2seq_encdec::EncoderDecoder>(
            "encdec",
            "RNN encoder-decoder: one fixed-length context vector (Sutskever / Cho 2014)",
        ),
        Architecture::of::<seq2seq_attention::Bahdanau>(
            "bahdanau",
            "encoder-decoder with additive attention over a bidirectional encoder (Bahdanau 2014)",
        ),
        Architecture::of::<seq2seq_attention::Luong>(
            "luong",
            "encoder-decoder with global attention: dot, general or concat score (Luong 2015)",
        ),
        Architecture::of::<seq2seq_conv::Conv>(
            "conv",
            "gated convolutions, one output per slot: each sees R = 1 + (k − 1)·Σ dilations words, 9 by default (Gehring 2017)",
        ),
        Architecture::of::<seq2seq_conv::ConvS2S>(
            "convs2s",
            "convolutional encoder-decoder with attention in every decoder layer (ConvS2S, Gehring 2017)",
        ),
        Architecture::of::<seq2seq_transformer::Transformer>(
            "transformer",
            "self-attention only, multi-head, no recurrence (Vaswani 2017)",
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
    use seq2seq_train::model_config;

    fn example(arch: &str) -> RunConfig {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments").join(format!("{arch}.toml"));
        let config = RunConfig::from_file(&path).unwrap();
        let mut defaults = RunConfig { arch: arch.into(), ..RunConfig::default() };
        defaults.model = config.model.clone();
        assert_eq!(config, defaults, "{arch}.toml: the shared sections are the built-in defaults");
        config
    }

    /// `experiments/ARCH.toml` documents the built-in defaults: keep the two in step.
    #[test]
    fn example_configs_are_the_defaults() {
        assert_eq!(model_config::<seq2seq_ann::Ann>(&example("ann")).unwrap(), Default::default());
        assert_eq!(model_config::<seq2seq_rnn::Rnn>(&example("rnn")).unwrap(), Default::default());
        assert_eq!(model_config::<seq2seq_lstm::Lstm>(&example("lstm")).unwrap(), Default::default());
        assert_eq!(model_config::<seq2seq_birnn::BiRnn>(&example("birnn")).unwrap(), Default::default());
        let encdec = model_config::<seq2seq_encdec::EncoderDecoder>(&example("encdec")).unwrap();
        assert_eq!(encdec, seq2seq_encdec::EncDecConfig::default());
        assert_eq!(model_config::<seq2seq_attention::Bahdanau>(&example("bahdanau")).unwrap(), Default::default());
        assert_eq!(model_config::<seq2seq_attention::Luong>(&example("luong")).unwrap(), Default::default());
        let transformer = model_config::<seq2seq_transformer::Transformer>(&example("transformer")).unwrap();
        assert_eq!(transformer, seq2seq_transformer::TransformerConfig::default());
        assert_eq!(model_config::<seq2seq_conv::Conv>(&example("conv")).unwrap(), Default::default());
        assert_eq!(model_config::<seq2seq_conv::ConvS2S>(&example("convs2s")).unwrap(), Default::default());
        assert_eq!(super::architectures().len(), 10);
    }

    #[test]
    fn unknown_architectures_are_named() {
        let err = super::find("gpt").err().expect("an error").to_string();
        assert!(err.contains("gpt") && err.contains("encdec"), "{err}");
    }
}
