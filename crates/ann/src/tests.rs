//! The window, checked by hand: which slots an output can see.

use burn::module::Module;
use burn::tensor::{Bool, Device, Int, Tensor, TensorData};
use seq2seq_model::{ModelDims, Seq2Seq};

use seq2seq_model::positionwise::SlotModel;

use crate::{Ann, AnnConfig};

fn model(window: usize) -> Ann {
    let device = Device::flex();
    device.seed(1);
    Ann::init(
        &AnnConfig { window, embedding_size: 3, hidden_size: 8, ..Default::default() },
        ModelDims { source_vocab: 20, target_vocab: 7 },
        &device,
    )
    .valid()
}

fn logits(ann: &Ann, ids: &[i64], real: usize) -> Vec<Vec<f32>> {
    let device = Device::flex();
    let n = ids.len();
    let inputs = Tensor::<2, Int>::from_data(TensorData::new(ids.to_vec(), [1, n]), &device);
    let mask =
        Tensor::<2, Bool>::from_data(TensorData::new((0..n).map(|t| t < real).collect::<Vec<_>>(), [1, n]), &device);
    let values = ann.slot_logits(inputs, mask).into_data().try_to_vec::<f32>().unwrap();
    values.chunks(7).map(<[f32]>::to_vec).collect()
}

fn close(a: &[Vec<f32>], b: &[Vec<f32>]) -> bool {
    a.iter().flatten().zip(b.iter().flatten()).all(|(x, y)| (x - y).abs() < 1e-6)
}

#[test]
fn windows_are_embeddings_side_by_side_with_zero_edges() {
    let ann = model(1);
    let device = Device::flex();
    // Embeddings 1, 2, 3 (size 1) of a 3-slot sentence: z_0 = [0, 1, 2], z_1 = [1, 2, 3], z_2 = [2, 3, 0].
    let embedded = Tensor::<3>::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0], [1, 3, 1]), &device);
    let z = ann.windows(embedded, Tensor::ones([1, 3], &device)).into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(z, [0.0, 1.0, 2.0, 1.0, 2.0, 3.0, 2.0, 3.0, 0.0]);
}

#[test]
fn an_output_sees_its_window_and_nothing_else() {
    let ann = model(1);
    let base = logits(&ann, &[5, 6, 7, 8, 9, 10], 6);
    let changed = logits(&ann, &[5, 6, 7, 8, 9, 11], 6); // the last word only
    assert!(close(&base[..4], &changed[..4]), "slots 0–3 are more than one word away");
    assert!(!close(&base[4..5], &changed[4..5]));
    assert!(!close(&base[5..], &changed[5..]));
}

#[test]
fn padding_is_invisible() {
    let ann = model(2);
    let unpadded = logits(&ann, &[5, 6, 7], 3);
    let padded = logits(&ann, &[5, 6, 7, 12, 13], 3);
    assert!(close(&unpadded, &padded[..3]));
}
