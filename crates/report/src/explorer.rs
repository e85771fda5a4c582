//! The report's explorer, for `report.html` only: the validation curves of every model with
//! models toggled on and off and each point's value on hover, and a sentence picker that shows
//! every model's translation of one test sentence beside its reference, with an attending
//! model's attention map on it (for the first [`ATTENTION_SENTENCES`]). The data travel inside
//! the page as JSON and `explorer.js` draws them, so the page stays one file that opens offline.
//!
//! The page answers a fragment as a reader's clicks: `#sentence=17&hide=rnn,lstm&metric=bleu`
//! sets the picker, unticks the models and picks the metric through the controls themselves (how
//! the browser test drives it); `&attention=luong` picks the heatmap's model.

use std::path::Path;

use seq2seq_plot::PALETTE;
use serde::Serialize;

use crate::ReportError;
use crate::plots::group_style;
use crate::runs::ArchRuns;

/// The curves a reader can pick, by their `metrics.csv` column: (column, label).
const METRICS: [(&str, &str); 4] = [
    ("loss", "validation loss (nats per token)"),
    ("exact_match", "validation exact match (%)"),
    ("bleu", "validation BLEU"),
    ("chrf", "validation chrF"),
];

/// How many test sentences the explorer keeps attention for, per model: enough to browse, and
/// the page stays a few megabytes.
pub const ATTENTION_SENTENCES: usize = 50;

/// One model's attention on the first test sentences, as its greedy translation made it.
#[derive(Clone, Debug)]
pub struct ModelAttention {
    pub arch: String,
    pub maps: Vec<AttentionMap>,
}

/// One translation's attention: a row per output token (`<eos>` included), a weight per source
/// token.
#[derive(Clone, Debug, Serialize)]
pub struct AttentionMap {
    pub source: Vec<String>,
    pub output: Vec<String>,
    pub weights: Vec<Vec<f32>>,
}

#[derive(Serialize)]
struct Model {
    name: String,
    /// `#rrggbb`, the architecture's colour in the PNG figures.
    colour: String,
    /// A variant of an architecture, drawn dashed in its colour.
    dashed: bool,
    /// Per metric column: (epoch, mean over seeds).
    curves: Vec<Vec<(usize, f64)>>,
    /// The first seed's translation of each test sentence; none when its test sentences are not
    /// the first model's.
    translations: Vec<String>,
    /// Its attention on the first test sentences (weights to three decimals), where it attends.
    attention: Vec<AttentionMap>,
}

#[derive(Serialize)]
struct Explorer {
    metrics: Vec<(&'static str, &'static str)>,
    models: Vec<Model>,
    sources: Vec<String>,
    references: Vec<String>,
}

/// The explorer's HTML (a `<section>`), or `None` when the runs hold no test translations to
/// pick from (runs written before `test.hyp.txt` existed). `attention` is matched to the groups
/// by architecture.
pub fn section(groups: &[ArchRuns], attention: &[ModelAttention]) -> Result<Option<String>, ReportError> {
    let Some(first) = groups.first().and_then(|g| g.runs.first()) else { return Ok(None) };
    let (Some(sources), Some(references)) = (lines(&first.dir, "test.src.txt")?, lines(&first.dir, "test.ref.txt")?)
    else {
        return Ok(None);
    };
    let mut models = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let run = &group.runs[0];
        let Some(mut translations) = lines(&run.dir, "test.hyp.txt")? else { return Ok(None) };
        // A model tested on other sentences (`--quick` shrinks some pairs' data) has no row.
        if lines(&run.dir, "test.src.txt")?.as_ref() != Some(&sources) {
            translations.clear();
        } else if translations.len() != sources.len() {
            let file = run.dir.join("test.hyp.txt");
            return Err(ReportError::Input(format!(
                "{}: {} translations for {} test sentences",
                file.display(),
                translations.len(),
                sources.len()
            )));
        }
        let curves = METRICS
            .iter()
            .map(|(column, _)| group.curve("valid", column).into_iter().map(|(e, s)| (e, s.mean)).collect())
            .collect();
        let (c, dashed) = group_style(groups, i);
        let c = PALETTE[c % PALETTE.len()];
        let colour = format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
        let attention = attention
            .iter()
            .find(|a| a.arch == group.arch)
            .map(|a| a.maps.iter().map(rounded).collect())
            .unwrap_or_default();
        models.push(Model { name: group.arch.clone(), colour, dashed, curves, translations, attention });
    }
    let data = Explorer { metrics: METRICS.to_vec(), models, sources, references };
    let json = serde_json::to_string(&data).map_err(|e| ReportError::Input(format!("explorer data: {e}")))?;
    // Inside <script>, "</" would end the element; JSON reads "<\/" as "</".
    let json = json.replace("</", "<\\/");
    Ok(Some(format!(
        "<section id=\"explorer\">\n<h2>Explore</h2>\n<p>Tick models on and off, hover a point for its value, and pick a test \
         sentence to read every model's translation of it (the first seed's runs).</p>\n{CONTROLS}\n\
         <script type=\"application/json\" id=\"explorer-data\">{json}</script>\n<script>{SCRIPT}</script>\n</section>\n"
    )))
}

/// `map` with its weights to three decimals, which is all a heatmap shows.
fn rounded(map: &AttentionMap) -> AttentionMap {
    let weights = map.weights.iter().map(|row| row.iter().map(|w| (w * 1000.0).round() / 1000.0).collect()).collect();
    AttentionMap { weights, ..map.clone() }
}

/// The lines of `dir/name`, or `None` when there is no such file.
fn lines(dir: &Path, name: &str) -> Result<Option<Vec<String>>, ReportError> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text.lines().map(String::from).collect())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ReportError::io(&path, e)),
    }
}

const CONTROLS: &str = "<style>#explorer .models label{margin-right:1em;white-space:nowrap}\
#explorer-chart{width:100%;height:auto;border:1px solid #ddd}#explorer .readout{min-height:1.4em;color:#333}\
#explorer .exact{color:#2a7d2a}#explorer .wrong{color:#b22}</style>\n\
<p><label>curve <select id=\"explorer-metric\"></select></label></p>\n\
<p class=\"models\" id=\"explorer-models\"></p>\n\
<svg id=\"explorer-chart\" viewBox=\"0 0 900 380\" role=\"img\" aria-label=\"validation curves\"></svg>\n\
<p class=\"readout\" id=\"explorer-readout\">hover a point</p>\n\
<p><button id=\"explorer-previous\">previous</button> <label>test sentence \
<input id=\"explorer-sentence\" type=\"number\" min=\"1\" value=\"1\" style=\"width:5em\"></label> \
<span id=\"explorer-count\"></span> <button id=\"explorer-next\">next</button> \
<label>find a word <input id=\"explorer-find\" type=\"search\" size=\"16\"></label></p>\n\
<div class=\"table\"><table id=\"explorer-translations\"></table></div>\n\
<p><label>attention of <select id=\"explorer-attention-model\"></select></label> \
<span id=\"explorer-attention-note\"></span></p>\n\
<svg id=\"explorer-attention\" role=\"img\" aria-label=\"attention heatmap\"></svg>";

const SCRIPT: &str = include_str!("explorer.js");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::Run;

    /// A copy of a shipped baseline run (what `Run::load` reads, and its test text files), with
    /// the first translation replaced by `first`.
    fn copy_run(arch: &str, first: &str, into: &Path) -> Run {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../reports/baseline/runs/{arch}-seed42"));
        let to = into.join(arch);
        std::fs::create_dir_all(&to).unwrap();
        for file in ["config.toml", "checkpoint.json", "metrics.csv", "test.json", "test.src.txt", "test.ref.txt"] {
            std::fs::copy(from.join(file), to.join(file)).unwrap();
        }
        let hyps = std::fs::read_to_string(from.join("test.hyp.txt")).unwrap();
        let rest: Vec<&str> = hyps.lines().skip(1).collect();
        std::fs::write(to.join("test.hyp.txt"), format!("{first}\n{}\n", rest.join("\n"))).unwrap();
        Run::load(&to).unwrap()
    }

    #[test]
    fn the_section_carries_every_model_and_sentence_and_cannot_close_its_script() {
        let dir = std::env::temp_dir().join(format!("s2s-explorer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let groups = vec![
            ArchRuns { arch: "luong".into(), runs: vec![copy_run("luong", "</script><b>bold</b>", &dir)] },
            ArchRuns { arch: "rnn".into(), runs: vec![copy_run("rnn", "yksi", &dir)] },
        ];
        let map = AttentionMap {
            source: vec!["a".into(), "b".into()],
            output: vec!["x".into(), "<eos>".into()],
            weights: vec![vec![0.12345, 0.87655], vec![0.5, 0.5]],
        };
        let attention = [ModelAttention { arch: "luong".into(), maps: vec![map] }];
        let other = copy_run("transformer", "kaksi", &dir);
        std::fs::write(dir.join("transformer/test.src.txt"), "other sentences\n").unwrap();
        let groups = [groups, vec![ArchRuns { arch: "transformer".into(), runs: vec![other] }]].concat();
        let html = section(&groups, &attention).unwrap().expect("the runs have test translations");
        assert_eq!(html.matches("</script>").count(), 2, "only the two script elements close");
        let json = html.split("id=\"explorer-data\">").nth(1).unwrap().split("</script>").next().unwrap();
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        let sources = std::fs::read_to_string(dir.join("luong/test.src.txt")).unwrap();
        assert_eq!(data["sources"].as_array().unwrap().len(), sources.lines().count());
        assert_eq!(data["sources"][1], sources.lines().nth(1).unwrap());
        let models = data["models"].as_array().unwrap();
        assert_eq!(
            models.iter().map(|m| m["name"].as_str().unwrap()).collect::<Vec<_>>(),
            ["luong", "rnn", "transformer"]
        );
        assert_eq!(models[2]["translations"].as_array().unwrap().len(), 0, "tested on other sentences");
        assert_eq!(models[0]["translations"][0], "</script><b>bold</b>", "the JSON reads back what was escaped");
        assert_eq!(models[1]["translations"][0], "yksi");
        let luong = &models[0]["attention"][0];
        assert_eq!((luong["source"][1].as_str(), luong["output"][1].as_str()), (Some("b"), Some("<eos>")));
        assert!((luong["weights"][0][0].as_f64().unwrap() - 0.123).abs() < 1e-6, "three decimals: {luong}");
        assert_eq!(models[1]["attention"].as_array().unwrap().len(), 0, "the RNN does not attend");
        let epochs = groups[0].runs[0].split("valid").len();
        assert_eq!(models[0]["curves"].as_array().unwrap().len(), METRICS.len());
        assert_eq!(models[0]["curves"][0].as_array().unwrap().len(), epochs);
        let first_loss = groups[0].runs[0].split("valid")[0].get("loss").unwrap();
        assert!((models[0]["curves"][0][0][1].as_f64().unwrap() - first_loss).abs() < 1e-9);
        assert_ne!(models[0]["colour"], models[1]["colour"]);
        assert!(models[0]["colour"].as_str().unwrap().starts_with('#'));

        // A translation file that lost lines is an error naming it, not a shifted table.
        std::fs::write(dir.join("rnn/test.hyp.txt"), "yksi\n").unwrap();
        let groups =
            vec![groups[0].clone(), ArchRuns { arch: "rnn".into(), runs: vec![Run::load(&dir.join("rnn")).unwrap()] }];
        let error = section(&groups, &[]).unwrap_err().to_string();
        assert!(error.contains("rnn/test.hyp.txt: 1 translations for"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
