//! Every output folder records its making (issue 17): run.json and scenario.toml, which
//! reproduces the run bit for bit; chart subtitles name the overrides; a folder holding
//! another scenario file's results is not replaced without `--force`.

use std::path::Path;

use super::{dcrisk, scenario, stderr};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(&dir.join("run.json"))).unwrap()
}

/// run.json says what made the run; scenario.toml, run as its comment says, gives the
/// same summary.json byte for byte, with overrides and variance reduction.
#[test]
fn the_folder_records_the_run_and_reproduces_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let o = dcrisk(
        &[
            "run",
            f,
            "--paths",
            "1500",
            "--seed",
            "11",
            "--set",
            "guarantee.cap=0",
            "--set",
            "tenant.annual_pd=0.05",
            "--antithetic",
            "--threads",
            "2",
            "--out",
            "out",
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = dir.path().join("out/t");
    let run = run_json(&t);
    let keys: Vec<&str> = run
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "command",
            "dcrisk_version",
            "scenario_file",
            "scenario_path",
            "scenario_sha256",
            "scenario_hash",
            "overrides",
            "seed",
            "paths",
            "threads",
            "techniques",
            "started",
            "wall_seconds",
        ]
    );
    assert!(run["command"][0].as_str().unwrap().contains("dcrisk"));
    assert_eq!(run["command"][1], "run");
    assert_eq!(run["command"][2], f);
    assert_eq!(run["scenario_file"], f);
    let sha = run["scenario_sha256"].as_str().unwrap();
    assert!(
        sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{sha}"
    );
    assert_eq!(
        run["overrides"],
        serde_json::json!(["guarantee.cap=0", "tenant.annual_pd=0.05"])
    );
    assert_eq!(
        (run["seed"].as_u64(), run["paths"].as_u64()),
        (Some(11), Some(1500))
    );
    assert_eq!(run["threads"], 2);
    assert_eq!(run["techniques"]["antithetic"], true);
    assert_eq!(run["techniques"]["precision"], serde_json::Value::Null);
    let started = run["started"].as_str().unwrap();
    assert!(started.len() == 20 && started.ends_with('Z'), "{started}");
    assert!(run["wall_seconds"].as_f64().unwrap() >= 0.0);
    // The timing is in run.json alone.
    let summary = read(&t.join("summary.json"));
    assert!(!String::from_utf8_lossy(&summary).contains(started));

    let toml = String::from_utf8(read(&t.join("scenario.toml"))).unwrap();
    let line = toml
        .lines()
        .find_map(|l| l.strip_prefix("# Reproduce the run: dcrisk run scenario.toml"))
        .unwrap_or_else(|| panic!("{toml}"));
    assert_eq!(line.trim(), "--paths 1500 --antithetic --seed 11");
    let copy = t.join("scenario.toml");
    let mut args = vec!["run", copy.to_str().unwrap()];
    args.extend(line.split_whitespace());
    args.extend(["--out", "again", "--no-charts"]);
    let o = dcrisk(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let again = dir.path().join("again/t");
    assert!(
        summary == read(&again.join("summary.json")),
        "summary.json differs"
    );
    for name in ["metrics.csv", "timeseries.csv", "exposure.csv"] {
        assert!(
            read(&t.join(name)) == read(&again.join(name)),
            "{name} differs"
        );
    }
    // The reproduction's scenario.toml is the same tree again, now without overrides.
    assert_eq!(run_json(&again)["overrides"], serde_json::json!([]));
    let body = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let toml_again = String::from_utf8(read(&again.join("scenario.toml"))).unwrap();
    assert_eq!(body(&toml), body(&toml_again));
}

/// A run to a precision is reproduced by the precision flags, not a path count: the same
/// summary.json, convergence included.
#[test]
fn a_run_to_a_precision_is_reproduced_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let o = dcrisk(
        &[
            "run",
            file.to_str().unwrap(),
            "--precision",
            "0.2",
            "--max-paths",
            "3000",
            "--control-variates",
            "--out",
            "out",
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = dir.path().join("out/t");
    let toml = String::from_utf8(read(&t.join("scenario.toml"))).unwrap();
    let line = toml
        .lines()
        .find_map(|l| l.strip_prefix("# Reproduce the run: dcrisk run scenario.toml"))
        .unwrap_or_else(|| panic!("{toml}"));
    assert_eq!(
        line.trim(),
        "--precision 0.2 --max-paths 3000 --target savings_pv --control-variates --seed 42"
    );
    let copy = t.join("scenario.toml");
    let mut args = vec!["run", copy.to_str().unwrap()];
    args.extend(line.split_whitespace());
    args.extend(["--out", "again", "--no-charts"]);
    let o = dcrisk(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read(&t.join("summary.json"));
    assert!(String::from_utf8_lossy(&summary).contains("convergence"));
    assert!(summary == read(&dir.path().join("again/t/summary.json")));
}

/// Overrides show in the charts' subtitles: the same run with and without an override
/// that changes no number gives the same summary.json but different charts; without
/// overrides, charts are the same from run to run.
#[test]
fn chart_subtitles_name_the_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "run",
            f,
            "--paths",
            "300",
            "--chart-size",
            "400x320",
            "--out",
            out,
        ];
        args.extend(extra);
        let o = dcrisk(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        dir.path().join(out).join("t")
    };
    let plain = run("a", &[]);
    let again = run("b", &[]);
    // `paths` in the file is only a default, which --paths overrides: no number changes.
    let noted = run("c", &["--set", "paths=7"]);
    assert!(read(&plain.join("summary.json")) == read(&noted.join("summary.json")));
    let pngs: Vec<String> = std::fs::read_dir(&plain)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".png"))
        .collect();
    assert!(!pngs.is_empty());
    for png in &pngs {
        assert!(read(&plain.join(png)) == read(&again.join(png)), "{png}");
        assert!(read(&plain.join(png)) != read(&noted.join(png)), "{png}");
    }
}

/// A run whose folder holds another scenario file's results refuses (exit 2) naming both
/// files and the ways out, and leaves the folder as it was; `--name` and `--force` are
/// the ways out; the same file, edited, replaces; a folder without run.json is replaced.
#[test]
fn another_files_results_are_not_replaced_silently() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let variant = dir.path().join("variant.toml");
    std::fs::copy(&file, &variant).unwrap();
    let run = |f: &Path, extra: &[&str]| {
        let mut args = vec![
            "run",
            f.to_str().unwrap(),
            "--paths",
            "200",
            "--out",
            "out",
            "--no-charts",
        ];
        args.extend(extra);
        dcrisk(&args, dir.path())
    };
    let o = run(&file, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = dir.path().join("out/t");
    let first = read(&t.join("run.json"));

    let o = run(&variant, &["--set", "guarantee.cap=0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for want in ["s.toml", "variant.toml", "--name NAME", "--force"] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(read(&t.join("run.json")) == first, "the folder was touched");

    let o = run(&variant, &["--name", "t-variant"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = dir.path().join("out/t-variant");
    assert!(
        run_json(&v)["scenario_file"]
            .as_str()
            .unwrap()
            .ends_with("variant.toml")
    );
    // The folder's name is checked like a scenario's name.
    let o = run(&variant, &["--name", "../x"]);
    assert_eq!(o.status.code(), Some(2));

    let o = run(&variant, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        run_json(&t)["scenario_file"]
            .as_str()
            .unwrap()
            .ends_with("variant.toml")
    );

    // The same file again, edited and with an override: replaced as before.
    let text = std::fs::read_to_string(&variant).unwrap();
    std::fs::write(&variant, text.replace("cap = 5.0e8", "cap = 4.0e8")).unwrap();
    let o = run(&variant, &["--set", "tenant.annual_pd=0.05"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A folder without run.json (an older version's) is replaced as before.
    std::fs::remove_file(t.join("run.json")).unwrap();
    let o = run(&file, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        run_json(&t)["scenario_file"]
            .as_str()
            .unwrap()
            .ends_with("s.toml")
    );

    // batch refuses that scenario alone, and --force lets it through.
    let o = dcrisk(
        &[
            "batch",
            variant.to_str().unwrap(),
            "--paths",
            "200",
            "--out",
            "out",
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = dcrisk(
        &[
            "batch",
            variant.to_str().unwrap(),
            "--paths",
            "200",
            "--out",
            "out",
            "--no-charts",
            "--force",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(t.join("scenario.toml").is_file());
    assert!(
        run_json(&t)["scenario_file"]
            .as_str()
            .unwrap()
            .ends_with("variant.toml")
    );
}

/// A merge records its command and what the parts' headers say.
#[test]
fn a_merge_records_its_parts() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    for i in 0..2 {
        let shard = format!("{i}/2");
        let o = dcrisk(
            &[
                "run",
                file.to_str().unwrap(),
                "--paths",
                "400",
                "--shard",
                &shard,
                "--out",
                "parts",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = dcrisk(
        &[
            "merge",
            "parts/t/part-0000-of-0002.dcrisk",
            "parts/t/part-0001-of-0002.dcrisk",
            "--out",
            "merged",
            "--name",
            "whole",
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let run = run_json(&dir.path().join("merged/whole"));
    assert_eq!(run["command"][1], "merge");
    assert_eq!(run["parts"].as_array().unwrap().len(), 2);
    assert_eq!(run["parts"][1]["shard"], "1/2");
    assert_eq!(run["parts"][0]["total_paths"], 400);
    assert_eq!(run["parts"][0]["scenario"], "t");
    assert_eq!(run["paths"], 400);
}

/// A shard's part beside another scenario file's results would merge over them: `run
/// --shard` refuses that folder too (exit 2, nothing written), and `--force` overrides.
#[test]
fn shards_do_not_write_into_another_files_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let copy = dir.path().join("copy.toml");
    std::fs::copy(&file, &copy).unwrap();
    let (f, c) = (file.to_str().unwrap(), copy.to_str().unwrap());
    let o = dcrisk(&["run", f, "--paths", "300", "--no-charts"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let shard = ["run", c, "--paths", "2048", "--shard", "0/2"];
    let o = dcrisk(&shard, dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another scenario file"),
        "{}",
        stderr(&o)
    );
    let o = dcrisk(&[&shard[..], &["--force"]].concat(), dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `run --shard`, `sweep` and `sensitivity` record their making beside the run's files,
/// under names of their own (run.json stays the run's): run.json's fields, and what the
/// command adds; a later run of the same file keeps them.
#[test]
fn shards_sweeps_and_sensitivities_record_their_making() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let set = ["--set", "guarantee.cap=0"];
    let commands: [&[&str]; 3] = [
        &["run", f, "--paths", "2048", "--shard", "1/2", "--seed", "4"],
        &[
            "sweep",
            f,
            "--paths",
            "100",
            "--seed",
            "4",
            "--param",
            "discount_rate=0.05:0.06:2",
            "--no-charts",
        ],
        &[
            "sensitivity",
            f,
            "--paths",
            "100",
            "--seed",
            "4",
            "--no-charts",
        ],
    ];
    for args in commands {
        let o = dcrisk(&[args, &set[..], &["--threads", "2"]].concat(), dir.path());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    let t = dir.path().join("output/t");
    assert!(
        !t.join("run.json").exists(),
        "a study wrote the run's run.json"
    );
    let record =
        |name: &str| -> serde_json::Value { serde_json::from_slice(&read(&t.join(name))).unwrap() };
    let sha = record("sweep.run.json")["scenario_sha256"].clone();
    assert_eq!(sha.as_str().map(str::len), Some(64));
    for (name, paths) in [
        ("part-0001-of-0002.run.json", 2048),
        ("sweep.run.json", 100),
        ("sensitivity.run.json", 100),
    ] {
        let r = record(name);
        assert_eq!(r["scenario_sha256"], sha, "{name}");
        assert_eq!(r["overrides"][0], "guarantee.cap=0", "{name}");
        assert_eq!(r["seed"], 4, "{name}");
        assert_eq!(r["paths"], paths, "{name}");
        assert_eq!(r["threads"], 2, "{name}");
        assert!(
            r["command"].as_array().is_some_and(|c| c.len() > 3),
            "{name}"
        );
        assert!(r["wall_seconds"].as_f64().is_some(), "{name}");
        assert!(r["started"].as_str().is_some(), "{name}");
        assert!(
            r["scenario_file"].as_str().unwrap().ends_with("s.toml"),
            "{name}"
        );
    }
    assert_eq!(record("part-0001-of-0002.run.json")["shard"], "1/2");
    assert_eq!(record("sensitivity.run.json")["swing"], 0.2);
    assert_eq!(record("sweep.run.json")["metric"], "savings_pv");
    let o = dcrisk(&["run", f, "--paths", "100", "--no-charts"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for name in [
        "part-0001-of-0002.run.json",
        "sweep.run.json",
        "sensitivity.run.json",
    ] {
        assert!(t.join(name).exists(), "{name} was not kept");
    }
    assert!(t.join("run.json").exists());
}

/// `merge` keeps the replacement rule: a folder holding another scenario's results (a run
/// of another file, or merged parts of another scenario) is refused (exit 2, untouched)
/// naming both and the ways out; `--name` and `--force` are those ways; parts of the
/// scenario that made the folder replace it.
#[test]
fn merge_does_not_replace_another_scenarios_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let other = dir.path().join("other.toml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("cap = 5.0e8", "cap = 1.0e8");
    std::fs::write(&other, text).unwrap();
    let f = file.to_str().unwrap();
    for i in 0..2 {
        let shard = format!("{i}/2");
        let args = [
            "run", f, "--paths", "2048", "--shard", &shard, "--out", "parts",
        ];
        let o = dcrisk(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let merge = |extra: &[&str]| {
        let mut args = vec![
            "merge",
            "parts/t/part-0000-of-0002.dcrisk",
            "parts/t/part-0001-of-0002.dcrisk",
            "--no-charts",
        ];
        args.extend(extra);
        dcrisk(&args, dir.path())
    };
    // A run of another scenario file in output/t.
    let o = dcrisk(
        &[
            "run",
            other.to_str().unwrap(),
            "--paths",
            "100",
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = dir.path().join("output/t");
    let before = read(&t.join("run.json"));
    let o = merge(&[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for want in [
        "other.toml",
        "these parts (scenario hash",
        "--name NAME",
        "--force",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(
        read(&t.join("run.json")) == before,
        "the folder was touched"
    );
    let o = merge(&["--name", "t-merged"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = merge(&["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Now merged parts of s.toml's scenario: a merge of the same parts replaces them, a
    // run of the other file is refused, naming the merge.
    let o = merge(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = dcrisk(
        &[
            "run",
            other.to_str().unwrap(),
            "--paths",
            "100",
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("merged parts of scenario hash"),
        "{}",
        stderr(&o)
    );
    // A run of the file the parts came from (the same scenario) replaces the merge.
    let o = dcrisk(&["run", f, "--paths", "100", "--no-charts"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The replacement check is repeated under the folder's lock: a run that passed it while
/// the folder was free is refused at the swap (exit 2) if another scenario file's results
/// arrived meanwhile, and leaves them as they are.
#[test]
fn the_replacement_check_is_repeated_under_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow.toml");
    let text = crate::STARTER.replace("{{NAME}}", "t");
    std::fs::write(&slow, &text).unwrap();
    let fast = scenario(dir.path(), |t| t);
    // The slow run checks the (empty) folder at once, then simulates for a while.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_dcrisk"))
        .args([
            "run",
            slow.to_str().unwrap(),
            "--paths",
            "300000",
            "--threads",
            "1",
        ])
        .args(["--no-charts"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let o = dcrisk(
        &[
            "run",
            fast.to_str().unwrap(),
            "--paths",
            "50",
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = dir.path().join("output/t");
    let fast_record = read(&t.join("run.json"));
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the slow run was not refused: {err}"
    );
    assert!(err.contains("another scenario file"), "{err}");
    assert!(
        read(&t.join("run.json")) == fast_record,
        "the fast run's folder was replaced"
    );
}
