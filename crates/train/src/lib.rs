//! Training for seq2seq-workbench: the training loop, losses, metrics, evaluation, checkpoints
//! and logs, for any model that implements `seq2seq_model::Seq2Seq`. This crate never names an
//! architecture.

pub mod architecture;
pub mod checkpoint;
mod config;
mod error;
pub mod evaluate;
pub mod hardware;
pub mod loss;
pub mod metrics;
pub mod optim;
pub mod probes;
mod progress;
pub mod resume;
pub mod run_dir;
pub mod saliency;
pub mod step;
pub mod suggest;
pub mod throughput;
pub mod trainer;

pub use architecture::{Architecture, Evaluated, Translation, Translator};
pub use config::{Backend, LrSchedule, RunConfig, TrainingConfig, model_config, resolved_model};
pub use error::TrainError;
pub use evaluate::{GroupScores, Scores, TestReport};
pub use trainer::{RunSummary, TrainOptions, train};
