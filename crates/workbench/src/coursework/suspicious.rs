//! What a solution region must not do, read from its text before it is graded: call the code
//! its checks compare against (the fused kernels, burn's reference modules), reach outside the
//! test (processes, files, the network, the terminal the grader reads), print libtest's own
//! result lines, or close the braces of the function it sits in (code outside the region). A
//! flagged exercise scores 0 with the reason in the grade sheet's note, for the teacher to
//! review; comments are not read, so a student may write about the fused kernel.

/// The texts a region may not contain, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("fused", "calls the fused kernel its check compares against"),
    ("seq2seq_kernels", "calls the fused kernel its check compares against"),
    ("burn::nn::", "uses burn's module its check compares against"),
    ("LstmConfig", "uses burn's module its check compares against"),
    ("GruConfig", "uses burn's module its check compares against"),
    ("RnnConfig", "uses burn's module its check compares against"),
    ("MultiHeadAttention", "uses burn's module its check compares against"),
    ("PositionalEncodingConfig", "uses burn's module its check compares against"),
    ("process::", "reaches outside the test (a process)"),
    ("Command", "reaches outside the test (a process)"),
    ("fs::", "reaches outside the test (files)"),
    ("File", "reaches outside the test (files)"),
    ("net::", "reaches outside the test (the network)"),
    ("stdout", "writes to the terminal the grader reads"),
    ("stderr", "writes to the terminal the grader reads"),
    ("env!", "reads the build's environment"),
    ("std::env", "reads the environment"),
    ("include!", "includes a file"),
    ("include_str!", "includes a file"),
    ("include_bytes!", "includes a file"),
    ("unsafe", "holds unsafe code"),
    ("extern \"", "links foreign code"),
    ("extern crate", "links another crate"),
    ("... ok", "holds a line of libtest's output"),
    ("test result:", "holds a line of libtest's output"),
];

/// Why a region's `body` (its lines between the markers) is flagged, each reason once; empty
/// when nothing is.
pub fn flags(body: &[&str]) -> Vec<&'static str> {
    let code: Vec<&str> = body.iter().map(|line| without_comment(line)).collect();
    let text = code.join("\n");
    let mut reasons: Vec<&'static str> = Vec::new();
    for (forbidden, why) in FORBIDDEN {
        if text.contains(forbidden) && !reasons.contains(why) {
            reasons.push(why);
        }
    }
    if !braces_balance(&text) {
        reasons.push("closes a brace it did not open (code outside its region)");
    }
    reasons
}

/// `line` up to a `//` comment that is not inside a string literal.
fn without_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Whether every `}` outside string and character literals closes a `{` of the same text, and
/// every `{` is closed: a region that is a block of its function's body.
fn braces_balance(text: &str) -> bool {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                // A character literal: '{', '}' or '\''.
                '\'' if chars.get(i + 2) == Some(&'\'') => i += 2,
                '\'' if chars.get(i + 1) == Some(&'\\') && chars.get(i + 3) == Some(&'\'') => i += 3,
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth < 0 {
                        return false;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::workspace_root;

    #[test]
    fn a_plain_solution_is_not_flagged_and_comments_are_not_read() {
        let body = [
            "let gates = projected + cell.hidden_to_gates.forward(state.hidden.clone()); // not the fused kernel",
            "let [i, f]: [Tensor<2>; 2] = gates.chunk(2, 1).try_into().expect(\"two { gates\");",
            "if i.dims()[0] > 0 { let brace = '}'; }",
            "State { hidden: o * tanh(memory.clone()), memory: Some(memory) }",
        ];
        assert_eq!(flags(&body), Vec::<&str>::new());
    }

    #[test]
    fn no_solution_of_the_workspace_is_flagged() {
        let root = workspace_root();
        for exercise in crate::coursework::exercises::EXERCISES {
            let text = std::fs::read_to_string(root.join(exercise.file)).unwrap();
            for (_, _, body) in crate::coursework::exercises::regions(&text, exercise) {
                assert_eq!(flags(&body), Vec::<&str>::new(), "{}", exercise.id);
            }
        }
    }

    #[test]
    fn the_known_ways_round_a_check_are_flagged() {
        let fused = ["if let Some((_, state)) = self.run_fused(projected, None, state, false) { return state; }"];
        assert_eq!(flags(&fused), vec!["calls the fused kernel its check compares against"]);
        let forged = ["todo!(\"\\ntest tests::elman_cell_matches_burn_rnn_both_directions ... ok\\n\")"];
        assert_eq!(flags(&forged), vec!["holds a line of libtest's output"]);
        let exit = ["std::process::exit(0)"];
        assert_eq!(flags(&exit), vec!["reaches outside the test (a process)"]);
        let outside = ["todo!()", "}", "#[test]", "fn extra() {"];
        assert_eq!(flags(&outside), vec!["closes a brace it did not open (code outside its region)"]);
        let reference = ["let lstm = burn::nn::LstmConfig::new(4, 4, true).init(&device);"];
        assert_eq!(flags(&reference), vec!["uses burn's module its check compares against"]);
    }
}
