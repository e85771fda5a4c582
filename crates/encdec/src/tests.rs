//! An untrained encoder-decoder starts near ln(vocabulary size); source padding never changes
//! a translation.

use std::sync::{Mutex, MutexGuard};

use burn::tensor::Device;
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_model::decode::Search;
use seq2seq_model::token_loss::token_cross_entropy;
use seq2seq_model::{ModelDims, Seq2Seq};

use crate::{CellKind, EncDecConfig, EncoderDecoder};

/// burn's CPU device keeps one seeded random stream per process: a test that seeds it and builds
/// a model holds this, so that another test's draws cannot fall between the two.
static SEEDED_STREAM: Mutex<()> = Mutex::new(());

fn seeded(device: &Device, seed: u64) -> MutexGuard<'static, ()> {
    let guard = SEEDED_STREAM.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    device.seed(seed);
    guard
}

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
    let _stream = seeded(&device, 7);
    let vocab = 50;
    let model =
        EncoderDecoder::init(&EncDecConfig::default(), ModelDims { source_vocab: 30, target_vocab: vocab }, &device);
    let batch = toy_batch(&device);
    let logits = model.forward(&batch, &[true; 6]);
    assert_eq!(logits.dims(), [2, 6, vocab]);
    let loss = token_cross_entropy(logits, batch.target_output);
    let expected = (vocab as f64).ln();
    assert!((loss - expected).abs() < 0.1 * expected, "loss {loss}, ln V = {expected}");
}

#[test]
fn source_padding_does_not_change_a_translation() {
    let device = Device::flex();
    let _stream = seeded(&device, 8);
    let config = EncDecConfig { cell: CellKind::Gru, hidden_size: 16, embedding_size: 8, ..Default::default() };
    let model = EncoderDecoder::init(&config, ModelDims { source_vocab: 30, target_vocab: 20 }, &device);
    let model = burn::module::Module::valid(&model);
    let short = EncodedPair::new(0, vec![6, 7], vec![]);
    let long = EncodedPair::new(1, vec![5, 6, 7, 8, 9, 10, 11], vec![]);
    seq2seq_model::contract::search_ignores_padding(&model, &short, &long, false, &device);
}

/// The decoder step (`step_input`, `decoder_step`), which generation runs, against the
/// teacher-forced path, which runs each decoder layer over the whole target at once: fed its own
/// greedy translation as the gold target, the teacher-forced logits must pick it again — with one
/// or two layers, the context fed to every step or not.
#[test]
fn decoder_steps_match_the_whole_target_layers() {
    let device = Device::flex();
    let sources = [vec![5, 6, 7, 8, 9], vec![6, 7], vec![10, 11, 12, 13, 14, 15, 16]];
    for (layers, feed_context) in [(1, true), (1, false), (2, true)] {
        let _stream = seeded(&device, 9);
        let config = EncDecConfig { hidden_size: 16, embedding_size: 8, layers, feed_context, ..Default::default() };
        let model = EncoderDecoder::init(&config, ModelDims { source_vocab: 30, target_vocab: 20 }, &device);
        let model = burn::module::Module::valid(&model);
        let pairs: Vec<EncodedPair> =
            sources.iter().enumerate().map(|(i, s)| EncodedPair::new(i, s.clone(), vec![])).collect();
        let generated = model.generate(&Batch::new(&pairs.iter().collect::<Vec<_>>(), &device), &Search::greedy(8));
        let gold: Vec<EncodedPair> = pairs
            .iter()
            .zip(&generated.tokens)
            .map(|(p, tokens)| EncodedPair::new(p.index, p.source.clone(), tokens.clone()))
            .collect();
        let batch = Batch::new(&gold.iter().collect::<Vec<_>>(), &device);
        let steps = batch.target_output.dims()[1];
        let predicted: Vec<i64> = model.forward(&batch, &vec![true; steps]).argmax(2).try_into_vec_as::<i64>().unwrap();
        for (row, tokens) in generated.tokens.iter().enumerate() {
            let again: Vec<usize> =
                predicted[row * steps..row * steps + tokens.len()].iter().map(|&t| t as usize).collect();
            assert_eq!(&again, tokens, "{layers} layer(s), context fed {feed_context}: sentence {row}");
        }
        assert!(generated.tokens.iter().any(|t| t.len() > 2), "translations long enough to compare");
    }
}
