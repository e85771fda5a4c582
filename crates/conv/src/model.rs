//! The `conv` tagger: embeddings (and positions) → `L` gated convolution layers → a softmax
//! layer at every slot.

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Bool, Device, Int, Tensor};
use seq2seq_model::ModelDims;
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::positionwise::SlotModel;
use seq2seq_transformer::positions::{learned, sinusoidal};

use crate::{ConvBlock, ConvConfig, Positions};

/// ```text
/// h_0 = e(x_t) + p(t)                  p: none, learned or sinusoidal
/// h_l = ConvBlock_l(h_{l−1})           l = 1 … L
/// p(y_t | x_{field of t}) = softmax(W_o h_L,t + b_o)
/// ```
#[derive(Module, Debug)]
pub struct Conv {
    pub embedding: Embedding,
    /// `positions = "learned"`: one vector per position.
    pub learned_positions: Option<Embedding>,
    pub blocks: Vec<ConvBlock>,
    /// `W_o, b_o`: `[d, target_vocab]`.
    pub output: Linear,
    pub dropout: Dropout,
    /// `positions = "sinusoidal"`.
    pub sinusoidal: bool,
    pub slack: usize,
}

impl Conv {
    /// `p(t)` for every slot, `[slots, d]`, or `None` without positions.
    fn positions(&self, slots: usize, channels: usize, device: &Device) -> Option<Tensor<2>> {
        if self.sinusoidal {
            return Some(sinusoidal(0, slots, channels, device));
        }
        let table = self.learned_positions.as_ref()?;
        Some(learned(table, 0, slots, device).squeeze_dim(0))
    }
}

impl SlotModel for Conv {
    type Config = ConvConfig;

    fn build(config: &ConvConfig, dims: ModelDims, device: &Device) -> Self {
        let d = config.channels;
        let blocks = (0..config.layers)
            .map(|l| ConvBlock::new(d, config.kernel_size, config.dilation_of(l), config.padding_of(l), device))
            .collect();
        Conv {
            embedding: EmbeddingConfig::new(dims.source_vocab, d).init(device),
            learned_positions: (config.positions == Positions::Learned)
                .then(|| EmbeddingConfig::new(config.max_positions, d).init(device)),
            blocks,
            output: LinearConfig::new(d, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
            sinusoidal: config.positions == Positions::Sinusoidal,
            slack: config.slack,
        }
    }

    fn slot_logits(&self, inputs: Tensor<2, Int>, mask: Tensor<2, Bool>) -> Tensor<3> {
        let [_, slots] = inputs.dims();
        let device = inputs.device();
        let mut h = self.embedding.forward(inputs); // [batch, slots, d]
        let channels = h.dims()[2];
        if let Some(positions) = self.positions(slots, channels, &device) {
            h = h + positions.unsqueeze_dim::<3>(0);
        }
        let mask = mask.float();
        for block in &self.blocks {
            h = block.forward(h, mask.clone(), &self.dropout);
        }
        self.output.forward(self.dropout.forward(h)) // [batch, slots, target_vocab]
    }

    fn slack(&self) -> usize {
        self.slack
    }

    fn embedding(&self) -> Option<&Embedding> {
        Some(&self.embedding)
    }
}
