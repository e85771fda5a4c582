//! An untrained encoder-decoder starts near ln(vocabulary size); source padding never changes
//! a translation.

use burn::tensor::Device;
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_train::decode::Search;
use seq2seq_train::loss::masked_cross_entropy;
use seq2seq_train::{ModelDims, Seq2Seq};

use crate::{CellKind, EncDecConfig, EncoderDecoder};

fn toy_batch(device: &Device) -> Batch {
    let pairs = [
        EncodedPair::new(0, vec![5, 6, 7, 8], vec![9, 10, 11]),
        EncodedPair::new(1, vec![6, 7], vec![12, 13, 9, 10, 11]),
    ];
    Batch::new(&pairs.iter().collect::<Vec<_>>(), device)
}

#[test]
fn untrained_loss_starts_near_ln_vocabulary_size() {
    let device = Device::flex();
    device.seed(7);
    let vocab = 50;
    let model =
        EncoderDecoder::init(&EncDecConfig::default(), ModelDims { source_vocab: 30, target_vocab: vocab }, &device);
    let batch = toy_batch(&device);
    let logits = model.forward(&batch, &[true; 6]);
    assert_eq!(logits.dims(), [2, 6, vocab]);
    let loss = masked_cross_entropy(logits, batch.target_output, batch.target_mask, 0.0).into_scalar::<f64>();
    let expected = (vocab as f64).ln();
    assert!((loss - expected).abs() < 0.1 * expected, "loss {loss}, ln V = {expected}");
}

#[test]
fn source_padding_does_not_change_a_translation() {
    let device = Device::flex();
    device.seed(8);
    let config = EncDecConfig { cell: CellKind::Gru, hidden_size: 16, embedding_size: 8, ..Default::default() };
    let model = EncoderDecoder::init(&config, ModelDims { source_vocab: 30, target_vocab: 20 }, &device);
    let model = burn::module::Module::valid(&model);
    let short = EncodedPair::new(0, vec![6, 7], vec![]);
    let long = EncodedPair::new(1, vec![5, 6, 7, 8, 9, 10, 11], vec![]);
    let alone = model.generate(&Batch::new(&[&short], &device), &Search::greedy(8));
    let padded = model.generate(&Batch::new(&[&short, &long], &device), &Search::greedy(8));
    assert_eq!(alone.tokens[0], padded.tokens[0]);
    // Beam search: width 1 is greedy; a wider beam ignores padding too.
    assert_eq!(model.generate(&Batch::new(&[&short, &long], &device), &Search::beam(8, 1, 0.0)), padded);
    let wide = |pairs: &[&EncodedPair]| {
        model.generate(&Batch::new(pairs, &device), &Search::beam(8, 4, 1.0)).tokens[0].clone()
    };
    assert_eq!(wide(&[&short]), wide(&[&short, &long]));
}
