//! Every decoder model computes the same thing teacher-forced (`forward`, all steps at once) as
//! step by step (`Decoder::step`, which greedy and beam search drive): fed its own greedy
//! translation as the gold target, `forward` must predict exactly that translation again.

use burn::tensor::Device;
use seq2seq_attention::{Bahdanau, BahdanauConfig, Luong, LuongConfig, ScoreKind};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_encdec::{EncDecConfig, EncoderDecoder};
use seq2seq_model::decode::Search;
use seq2seq_model::{ModelDims, Seq2Seq};
use seq2seq_transformer::{Transformer, TransformerConfig};

const DIMS: ModelDims = ModelDims { source_vocab: 30, target_vocab: 25 };

fn forward_predicts_its_own_greedy_translation<M: Seq2Seq>(name: &str, config: &M::Config) {
    let device = Device::flex();
    device.seed(11);
    let model = M::init(config, DIMS, &device).valid();
    let sources = [vec![5, 6, 7, 8, 9, 10], vec![11, 12, 13], vec![14, 15, 16, 17, 18, 19, 20, 21, 22]];
    let pairs: Vec<EncodedPair> =
        sources.iter().enumerate().map(|(index, s)| EncodedPair::new(index, s.clone(), vec![])).collect();
    let batch = Batch::new(&pairs.iter().collect::<Vec<_>>(), &device);
    let generated = model.generate(&batch, &Search::greedy(12)).tokens;
    let gold: Vec<EncodedPair> =
        pairs.iter().zip(&generated).map(|(p, g)| EncodedPair { target: g.clone(), ..p.clone() }).collect();
    let gold_batch = Batch::new(&gold.iter().collect::<Vec<_>>(), &device);
    let steps = gold_batch.target_output.dims()[1];
    let predicted: Vec<i64> =
        model.forward(&gold_batch, &vec![true; steps]).argmax(2).try_into_vec_as::<i64>().expect("int ids");
    for (row, tokens) in generated.iter().enumerate() {
        let again: Vec<usize> =
            predicted[row * steps..row * steps + tokens.len()].iter().map(|&t| t as usize).collect();
        assert_eq!(&again, tokens, "{name}: sentence {row}: forward and step-by-step decoding disagree");
    }
    assert!(generated.iter().any(|t| t.len() > 2), "{name}: translations long enough to compare");
}

#[test]
fn teacher_forced_forward_equals_step_by_step_decoding() {
    let (hidden, embedding) = (16, 12);
    forward_predicts_its_own_greedy_translation::<EncoderDecoder>(
        "encdec",
        &EncDecConfig { hidden_size: hidden, embedding_size: embedding, ..Default::default() },
    );
    forward_predicts_its_own_greedy_translation::<Bahdanau>(
        "bahdanau",
        &BahdanauConfig { hidden_size: hidden, embedding_size: embedding, attention_size: 10, ..Default::default() },
    );
    for score in [ScoreKind::Dot, ScoreKind::General, ScoreKind::Concat] {
        for input_feeding in [false, true] {
            forward_predicts_its_own_greedy_translation::<Luong>(
                &format!("luong {score:?}, input feeding {input_feeding}"),
                &LuongConfig {
                    hidden_size: hidden,
                    embedding_size: embedding,
                    score,
                    input_feeding,
                    ..Default::default()
                },
            );
        }
    }
    for norm_first in [false, true] {
        forward_predicts_its_own_greedy_translation::<Transformer>(
            &format!("transformer, pre-norm {norm_first}"),
            &TransformerConfig { d_model: 16, heads: 2, d_ff: 32, norm_first, ..Default::default() },
        );
    }
}
