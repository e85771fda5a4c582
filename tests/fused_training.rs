//! The fused operations (`fused = true`: recurrent layers and the additive score by default, the
//! Transformer's scaled dot-product attention when asked for) train exactly as the readable code
//! (`fused = false`): the same losses, step after step, for every architecture with the switch.
//!
//! A test binary of its own: both runs replay the device's seeded random stream (weights and
//! dropout masks), and burn's CPU backend keeps one stream per process, which any test running
//! beside it in the same process would draw from.

use burn::optim::AdamConfig;
use burn::tensor::Device;
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_model::{ModelDims, Seq2Seq};
use seq2seq_train::RunConfig;
use seq2seq_train::model_config;
use seq2seq_train::step::learning_step;

const DIMS: ModelDims = ModelDims { source_vocab: 30, target_vocab: 25 };

/// The training losses of five steps on one padded batch, dropout on.
fn losses<M: Seq2Seq>(model: &[(&str, toml::Value)], fused: bool) -> Vec<f64> {
    let mut config = RunConfig::default();
    for (key, value) in model {
        config.model.insert(key.to_string(), value.clone());
    }
    config.model.insert("fused".into(), toml::Value::Boolean(fused));
    let model_config = model_config::<M>(&config).expect("a valid [model] section");
    let device = Device::flex().autodiff();
    device.seed(3);
    let mut model = M::init(&model_config, DIMS, &device);
    let mut optimizer = AdamConfig::new().init();
    let sentences =
        [(vec![5, 6, 7, 8, 9], vec![5, 9, 11]), (vec![10, 11], vec![12, 13, 14, 15]), (vec![12, 13, 14], vec![16])];
    let pairs: Vec<EncodedPair> = sentences
        .iter()
        .enumerate()
        .map(|(index, (source, target))| EncodedPair::new(index, source.clone(), target.clone()))
        .collect();
    let batch = Batch::new(&pairs.iter().collect::<Vec<_>>(), &device);
    let teacher_forcing = vec![true; batch.target_output.dims()[1]];
    (0..5)
        .map(|_| {
            let (next, outcome) =
                learning_step(model.clone(), &mut optimizer, &batch, &teacher_forcing, &config.training, 0.01);
            model = next;
            outcome.expect("a finite loss").loss
        })
        .collect()
}

fn check<M: Seq2Seq>(name: &str, model: &[(&str, toml::Value)]) {
    let (readable, fused) = (losses::<M>(model, false), losses::<M>(model, true));
    assert!(readable[4] < readable[0], "{name}: the loss falls ({readable:?})");
    for (step, (r, f)) in readable.iter().zip(&fused).enumerate() {
        assert!((r - f).abs() < 1e-4 * r.abs().max(1.0), "{name}: step {step}: readable {r}, fused {f}");
    }
}

#[test]
fn fused_and_readable_cells_train_alike() {
    let small = |cell: &str| {
        vec![
            ("hidden_size", toml::Value::Integer(12)),
            ("embedding_size", toml::Value::Integer(8)),
            ("cell", toml::Value::String(cell.into())),
        ]
    };
    check::<seq2seq_rnn::Rnn>("rnn", &small("lstm")[..2]);
    for cell in ["lstm", "gru", "rnn"] {
        check::<seq2seq_lstm::Lstm>(&format!("lstm ({cell})"), &small(cell));
        check::<seq2seq_encdec::EncoderDecoder>(&format!("encdec ({cell})"), &small(cell));
    }
    check::<seq2seq_birnn::BiRnn>("birnn", &small("lstm"));
    let mut two_layers = small("gru");
    two_layers.push(("layers", toml::Value::Integer(2)));
    check::<seq2seq_encdec::EncoderDecoder>("encdec (2 layers)", &two_layers);
    let mut bahdanau = small("lstm");
    bahdanau.push(("attention_size", toml::Value::Integer(10)));
    check::<seq2seq_attention::Bahdanau>("bahdanau", &bahdanau);
    check::<seq2seq_attention::Luong>("luong", &small("gru"));
    let mut concat = small("lstm");
    concat.push(("score", toml::Value::String("concat".into())));
    check::<seq2seq_attention::Luong>("luong (concat)", &concat);
    let transformer = |norm_first: bool| {
        vec![
            ("d_model", toml::Value::Integer(16)),
            ("heads", toml::Value::Integer(2)),
            ("d_ff", toml::Value::Integer(24)),
            ("norm_first", toml::Value::Boolean(norm_first)),
        ]
    };
    check::<seq2seq_transformer::Transformer>("transformer", &transformer(false));
    check::<seq2seq_transformer::Transformer>("transformer (pre-norm)", &transformer(true));
}
