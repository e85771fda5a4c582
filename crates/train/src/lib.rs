//! Training for seq2seq-workbench: the [`Seq2Seq`] trait every architecture implements, the
//! training loop, losses, metrics, decoding, checkpoints and logs. This crate never names an
//! architecture.

pub mod bench;
pub mod checkpoint;
mod config;
pub mod decode;
pub mod dropout;
mod error;
pub mod evaluate;
pub mod hardware;
pub mod loss;
pub mod metrics;
mod model;
pub mod optim;
pub mod positionwise;
pub mod probes;
mod progress;
pub mod registry;
pub mod resume;
pub mod saliency;
pub mod step;
pub mod suggest;
pub mod trainer;
pub mod validate;

pub use config::{Backend, LrSchedule, RunConfig, TrainingConfig};
pub use error::TrainError;
pub use evaluate::{Scores, TestReport};
pub use model::{AttentionKind, AttentionMap, Generation, ModelDims, Seq2Seq};
pub use registry::{Architecture, Translation, Translator};
pub use trainer::{RunSummary, TrainOptions, train};
pub use validate::{ConfigIssue, ModelConfig};
