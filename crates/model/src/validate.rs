//! Range checks for the architectures' `[model]` sections. Each architecture's config implements
//! [`ModelConfig::validate`] with these, so every range lives in the crate that knows it; the
//! training crate calls it before any model is built.

/// One `[model]` value outside its range: the key, the value and what was expected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("[model] {key} = {value}: expected {expected}")]
pub struct ConfigIssue {
    pub key: &'static str,
    pub value: String,
    pub expected: String,
}

/// What [`Seq2Seq::Config`](crate::Seq2Seq::Config) must be able to do.
pub trait ModelConfig {
    /// Checks every value of the section, before a model is built.
    fn validate(&self) -> Result<(), ConfigIssue>;
}

/// The widest layer a `[model]` section may ask for: a `16384 × 16384` weight is already 1 GiB.
pub const MAX_WIDTH: usize = 16_384;

pub fn issue(key: &'static str, value: impl ToString, expected: impl Into<String>) -> ConfigIssue {
    ConfigIssue { key, value: value.to_string(), expected: expected.into() }
}

fn bytes(n: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = n;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", units[unit])
}

/// A layer width (embedding, hidden, attention, feed-forward size): 1 to [`MAX_WIDTH`].
pub fn width(key: &'static str, value: usize) -> Result<(), ConfigIssue> {
    if value == 0 {
        return Err(issue(key, value, "at least 1"));
    }
    if value > MAX_WIDTH {
        let size = bytes(value as f64 * value as f64 * 4.0);
        return Err(issue(
            key,
            value,
            format!("at most {MAX_WIDTH} (one {value} × {value} weight matrix alone would take {size})"),
        ));
    }
    Ok(())
}

/// A count in `min ..= max` (layers, window, slack, …).
pub fn count(key: &'static str, value: usize, min: usize, max: usize) -> Result<(), ConfigIssue> {
    if value < min || value > max {
        return Err(issue(key, value, format!("{min} to {max}")));
    }
    Ok(())
}

/// A dropout probability: `0 ≤ p < 1` (1 would drop everything).
pub fn dropout(key: &'static str, value: f64) -> Result<(), ConfigIssue> {
    if !(0.0..1.0).contains(&value) {
        return Err(issue(key, value, "a probability in [0, 1): 0 keeps every unit, 1 would drop them all"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_key_the_value_and_the_range() {
        assert_eq!(width("hidden_size", 0).unwrap_err().to_string(), "[model] hidden_size = 0: expected at least 1");
        let huge = width("d_model", 1_000_000).unwrap_err().to_string();
        assert!(huge.contains("d_model = 1000000") && huge.contains("3.6 TiB"), "{huge}");
        assert!(width("d_model", MAX_WIDTH).is_ok());
        assert!(dropout("dropout", 1.0).unwrap_err().to_string().contains("dropout = 1"));
        assert!(dropout("dropout", -0.1).is_err() && dropout("dropout", f64::NAN).is_err());
        assert!(dropout("dropout", 0.0).is_ok() && dropout("dropout", 0.5).is_ok());
        assert_eq!(count("layers", 0, 1, 16).unwrap_err().to_string(), "[model] layers = 0: expected 1 to 16");
    }
}
