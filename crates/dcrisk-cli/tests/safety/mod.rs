//! Output safety under signals and races, and limits checked before work (issue 16):
//! interrupts remove their staging folders, concurrent runs into one folder both finish
//! with one complete result, leftovers of dead writers are repaired, runs too large for
//! the memory or with an unwritable `--out` are refused before simulating, and non-finite
//! results are never written.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{dcrisk, scenario, stderr};

/// `dcrisk ARGS` started in `dir` with `env`, its output captured.
fn spawn(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dcrisk"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dcrisk")
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    n.sort();
    n
}

/// Waits until `dir` holds `count` staging folders of `t`.
fn wait_for_staging(dir: &Path, count: usize) {
    let started = Instant::now();
    while names(dir)
        .iter()
        .filter(|n| n.starts_with(".t.partial-"))
        .count()
        < count
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no staging folder: {:?}",
            names(dir)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The lock of `out/t` taken by this test, as another dcrisk process would hold it.
///
/// Retried for a while: a process that another test (in this test binary) is starting may
/// still hold, for the instant between its fork and its exec, a copy of the descriptor an
/// earlier `hold_lock` locked, and with it the lock.
fn hold_lock(out: &Path) -> File {
    std::fs::create_dir_all(out).unwrap();
    let f = File::create(out.join(".t.lock")).unwrap();
    let started = Instant::now();
    while fs4::FileExt::try_lock(&f).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "lock never free"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    f
}

const RUN: [&str; 4] = ["run", "s.toml", "--no-charts", "--out"];

/// SIGTERM or SIGINT while a run's staging folder exists (here: while it waits for the
/// folder's lock) removes the staging folder and exits 143 or 130; the old result stays.
#[test]
fn interrupts_remove_the_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), |t| t);
    let out = dir.path().join("out");
    let o = dcrisk(&[&RUN[..], &["out", "--paths", "200"]].concat(), dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(out.join("t/summary.json")).unwrap();
    for (signal, code) in [("-TERM", 143), ("-INT", 130)] {
        let lock = hold_lock(&out);
        let child = spawn(
            &[&RUN[..], &["out", "--paths", "200", "--seed", "7"]].concat(),
            dir.path(),
            &[],
        );
        wait_for_staging(&out, 1);
        let killed = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let o = child.wait_with_output().unwrap();
        drop(lock);
        assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
        assert!(stderr(&o).contains("waiting for it"), "{}", stderr(&o));
        let left: Vec<String> = names(&out).into_iter().filter(|n| n != ".t.lock").collect();
        assert_eq!(left, ["t"], "{signal}");
        assert_eq!(std::fs::read(out.join("t/summary.json")).unwrap(), before);
    }
    // Mid-simulation: the output folder its checks made goes too.
    let child = spawn(
        &[&RUN[..], &["new", "--paths", "5000000"]].concat(),
        dir.path(),
        &[],
    );
    let started = Instant::now();
    while !dir.path().join("new").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no output folder"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    assert!(!dir.path().join("new").exists());
}

/// Two runs into one folder at once (here both held at the lock, then let go together)
/// both finish: one complete result, a note from each that waited, part files kept, and
/// no staging, aside or lock left. Four more racing freely end the same way.
#[test]
fn concurrent_runs_into_one_folder_end_complete() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), |t| t);
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("t")).unwrap();
    std::fs::write(out.join("t/part-0000-of-0002.dcrisk"), "part").unwrap();
    let lock = hold_lock(&out);
    let seeds = ["1", "2"];
    let children: Vec<Child> = seeds
        .iter()
        .map(|s| {
            spawn(
                &[&RUN[..], &["out", "--paths", "200", "--seed", s]].concat(),
                dir.path(),
                &[],
            )
        })
        .collect();
    wait_for_staging(&out, 2);
    drop(lock);
    let mut replaced = 0;
    for child in children {
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        assert!(
            err.contains("is being written by another dcrisk process"),
            "{err}"
        );
        replaced += err.contains("was written by another dcrisk process while this run ran") as u32;
    }
    assert_eq!(
        replaced, 1,
        "the second to write says it replaced the first's result"
    );
    let check = || {
        assert_eq!(names(&out), ["t"]);
        let t = out.join("t");
        let files = names(&t);
        for f in [
            "exposure.csv",
            "metrics.csv",
            "part-0000-of-0002.dcrisk",
            "summary.json",
        ] {
            assert!(files.iter().any(|n| n == f), "{f} missing: {files:?}");
        }
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(t.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(summary["paths"], 200);
        summary["seed"].as_u64().unwrap()
    };
    assert!([1, 2].contains(&check()));
    let racing: Vec<Child> = (10..14)
        .map(|s| {
            let seed = s.to_string();
            spawn(
                &[&RUN[..], &["out", "--paths", "200", "--seed", &seed]].concat(),
                dir.path(),
                &[],
            )
        })
        .collect();
    for child in racing {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!((10..14).contains(&check()));
}

/// A writer killed between its renames left the good result aside and the folder
/// missing; one killed while staging left its staging folder, holding a part file it had
/// carried over. The next run puts the result back, keeps both part files, removes the
/// staging folders, and says so.
#[test]
fn leftovers_of_dead_writers_are_repaired() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), |t| t);
    let out = dir.path().join("out");
    let dead = 2_147_483_647u32; // above any pid_max: never a running process
    let aside = out.join(format!(".t.old-{dead}-0"));
    std::fs::create_dir_all(&aside).unwrap();
    std::fs::write(aside.join("summary.json"), "{}").unwrap();
    std::fs::write(aside.join("part-0001-of-0002.dcrisk"), "part").unwrap();
    // Killed just after carrying a part file into its staging folder, before its renames.
    let staging = out.join(format!(".t.partial-{dead}-3"));
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join("part-0000-of-0002.dcrisk"), "carried").unwrap();
    std::fs::write(staging.join("summary.json"), "{}").unwrap();
    std::fs::create_dir_all(out.join(format!(".t.partial-{dead}"))).unwrap();
    let o = dcrisk(&[&RUN[..], &["out", "--paths", "200"]].concat(), dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("note: restored out/t from"), "{err}");
    assert!(
        err.contains(&format!("removed out/.t.partial-{dead}-3")),
        "{err}"
    );
    assert_eq!(names(&out), ["t"]);
    let files = names(&out.join("t"));
    for part in ["part-0000-of-0002.dcrisk", "part-0001-of-0002.dcrisk"] {
        assert!(files.contains(&part.to_string()), "{part}: {files:?}");
    }
    let summary = std::fs::read_to_string(out.join("t/summary.json")).unwrap();
    assert!(summary.contains("\"paths\": 200"), "{summary}");
}

/// A run too large for the memory is refused at once (exit 2) with the figure and
/// --sketch and shards suggested, writing nothing; batches and sweeps too.
#[test]
fn runs_too_large_for_the_memory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), |t| t);
    let small = [("DCRISK_MEMORY_AVAILABLE", "8G")];
    let run = ["run", "s.toml", "--paths", "200000000"];
    let o = spawn(&run, dir.path(), &small).wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for want in [
        "t: this run needs about",
        "GB of memory",
        "8.6 GB is available",
        "--sketch",
        "--shard",
    ] {
        assert!(err.contains(want), "{want:?} in {err}");
    }
    let tiny = [("DCRISK_MEMORY_AVAILABLE", "1M")];
    let batch = ["batch", "s.toml", "--paths", "100000"];
    let sweep = [
        "sweep",
        "s.toml",
        "--param",
        "demand.drift=0:0.1:3",
        "--paths",
        "100000",
    ];
    let shard = ["run", "s.toml", "--paths", "100000", "--shard", "0/2"];
    for args in [&batch[..], &sweep[..], &shard[..]] {
        let o = spawn(args, dir.path(), &tiny).wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        // The advice fits the command: fewer runs at once, or a sketch or more shards.
        let advice = if args.contains(&"--shard") {
            "--sketch"
        } else {
            "--threads"
        };
        assert!(err.contains("needs about") && err.contains(advice), "{err}");
    }
    assert!(!dir.path().join("output").exists());
}

/// An `--out` that cannot be written fails (exit 1) before a long simulation, not after.
#[test]
fn unwritable_out_fails_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), |t| t);
    std::fs::write(dir.path().join("a-file"), "").unwrap();
    let args = [
        "run",
        "s.toml",
        "--paths",
        "20000000",
        "--out",
        "a-file/out",
    ];
    let off = [("DCRISK_MEMORY_AVAILABLE", "off")];
    let o = spawn(&args, dir.path(), &off).wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot write to the output folder a-file")
            && err.contains("nothing was simulated"),
        "{err}"
    );
}

/// A rent of 1e300 validates (unless validation bounds it: exit 2) but overflows the
/// sums: the run exits 1 naming rent_pv and the rent, writes nothing and prints no NaN,
/// and a run to a precision stops at once instead of running to its budget.
#[test]
fn non_finite_results_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), |t| {
        t.replace("rent_per_kw_month = 140.0", "rent_per_kw_month = 1e300")
    });
    for extra in [&["--paths", "300"][..], &["--precision", "0.001"][..]] {
        let o = dcrisk(&[&["run", "s.toml"][..], extra].concat(), dir.path());
        let err = stderr(&o);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            !stdout.contains("NaN") && !stdout.contains("inf"),
            "{stdout}"
        );
        match o.status.code() {
            Some(2) => assert!(err.contains("rent_per_kw_month"), "{err}"),
            Some(1) => assert!(
                err.contains("rent_pv: mean is infinite")
                    && err.contains("sites[*].rent_per_kw_month")
                    && err.contains("nothing was written"),
                "{err}"
            ),
            other => panic!("exit {other:?}: {err}"),
        }
        assert!(!dir.path().join("output").exists());
    }
}
