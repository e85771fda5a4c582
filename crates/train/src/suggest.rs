//! "Did you mean": a config key that serde refuses (`unknown field `learnig_rate`, expected one
//! of `epochs`, `learning_rate`, …`) gets the nearest expected key named after the list.

/// `message` with `did you mean `KEY`?` added when it refuses an unknown key and one expected key
/// is within a few edits of it (Levenshtein distance at most a third of its length, at least 1).
pub fn did_you_mean(message: &str) -> String {
    match nearest_key(message) {
        Some(key) => format!("{message}\ndid you mean `{key}`?"),
        None => message.to_string(),
    }
}

fn nearest_key(message: &str) -> Option<String> {
    let rest = &message[message.find("unknown field `")? + "unknown field `".len()..];
    let (unknown, rest) = rest.split_once('`')?;
    let expected = &rest[rest.find("expected")?..];
    let line = expected.lines().next().unwrap_or_default();
    let candidates = line.split('`').skip(1).step_by(2);
    let (distance, key) = candidates.map(|key| (strsim::levenshtein(unknown, key), key)).min()?;
    (distance <= (unknown.chars().count() / 3).max(1)).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_nearest_expected_key_and_only_a_near_one() {
        let refused = "unknown field `learnig_rate`, expected one of `epochs`, `learning_rate`, `patience`";
        assert_eq!(did_you_mean(refused), format!("{refused}\ndid you mean `learning_rate`?"));
        let one = "unknown field `hiden_size`, expected `hidden_size`";
        assert!(did_you_mean(one).ends_with("did you mean `hidden_size`?"));
        let far = "unknown field `colour`, expected one of `epochs`, `learning_rate`";
        assert_eq!(did_you_mean(far), far, "nothing near: no guess");
        assert_eq!(did_you_mean("invalid type: string"), "invalid type: string");
    }
}
