//! Hostile part files through the binary (issue 16): `merge` refuses every corrupt,
//! truncated or crafted part with exit 2, naming the file and what is wrong, and writes
//! nothing, inside `--out` or outside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dcrisk_core::shard::Partial;

use super::{dcrisk, scenario, stderr};

/// Runs shard `i` of `n` of the small test scenario into `dir/parts`; returns its file.
fn shard(dir: &Path, i: u32, n: u32) -> PathBuf {
    let file = scenario(dir, |t| t);
    let o = dcrisk(
        &[
            "run",
            file.to_str().unwrap(),
            "--paths",
            "2000",
            "--seed",
            "3",
            "--shard",
            &format!("{i}/{n}"),
            "--out",
            "parts",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(format!("parts/t/part-{i:04}-of-{n:04}.dcrisk"))
}

/// Every file under `dir` with its contents (folders as `None`).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
                out.insert(path, None);
            } else {
                out.insert(path.clone(), Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// Merges `parts` into `out` from `dir`; asserts exit 2, the first part's file named in the
/// message with `want`, no panic, and nothing under `dir` changed.
fn assert_refused(dir: &Path, parts: &[&Path], want: &str) {
    let before = snapshot(dir);
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", "out", "--no-charts"]);
    let o = dcrisk(&args, dir);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{want}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(want), "expected {want:?} in: {err}");
    assert!(
        snapshot(dir) == before,
        "a refused merge changed files: {err}"
    );
}

/// A part whose scenario name is "", "..", "../../x" or an absolute path is refused, and
/// no file inside or outside `--out` is touched (the name was a path before: "" replaced
/// the whole `--out` folder, "../../x" wrote outside it).
#[test]
fn crafted_names_touch_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/b");
    std::fs::create_dir_all(dir.join("out/other")).unwrap();
    std::fs::write(dir.join("out/keep.txt"), "unrelated").unwrap();
    let good = Partial::decode(&std::fs::read(shard(&dir, 0, 1)).unwrap()).unwrap();
    let absolute = tmp.path().join("abs").display().to_string();
    for name in [
        "",
        ".",
        "..",
        "../../x",
        "../out",
        absolute.as_str(),
        "x/../..",
    ] {
        let mut p = good.clone();
        p.header.meta.scenario = name.to_string();
        let file = dir.join("crafted.dcrisk");
        std::fs::write(&file, p.encode()).unwrap();
        assert_refused(tmp.path(), &[&file], "crafted.dcrisk");
        assert_refused(tmp.path(), &[&file], "scenario name");
    }
    assert!(!tmp.path().join("abs").exists() && !tmp.path().join("x").exists());
}

/// `--shard 0/4294967295` (a 3.6 GB merge before) and a count of 0 are refused up front;
/// so is a crafted part with a shard count of 0 (a division by zero before).
#[test]
fn shard_counts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    for bad in ["0/4294967295", "0/1000001", "0/0", "5/5"] {
        let o = dcrisk(&["run", file.to_str().unwrap(), "--shard", bad], dir.path());
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--shard"), "{}", stderr(&o));
    }
    assert!(!dir.path().join("output").exists());
    let mut p = Partial::decode(&std::fs::read(shard(dir.path(), 0, 1)).unwrap()).unwrap();
    p.header.shard.count = 0;
    let crafted = dir.path().join("zero.dcrisk");
    std::fs::write(&crafted, p.encode()).unwrap();
    assert_refused(dir.path(), &[&crafted], "zero.dcrisk");
    assert_refused(
        dir.path(),
        &[&crafted],
        "shard count must be 1 to 1000000, got 0",
    );
}

/// Shard 0 of 1,000,000 merged alone: the refusal lists ten missing shards and a count.
#[test]
fn a_million_shards_list_few_missing() {
    let dir = tempfile::tempdir().unwrap();
    let part = shard(dir.path(), 0, 1_000_000);
    let o = dcrisk(
        &["merge", part.to_str().unwrap(), "--out", "out"],
        dir.path(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "missing shard(s) 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ... and 999,989 more of 1000000"
        ),
        "{err}"
    );
    assert!(err.len() < 300, "{err}");
    assert!(!dir.path().join("out").exists());
}

/// Random single-bit flips and truncations of a valid part, merged with its sibling: each
/// is refused with exit 2 naming the file, nothing is written, and none merges to other
/// numbers. (1,000 of each run through the decoder in dcrisk-core's tests; here a sample
/// through the binary.)
#[test]
fn corrupt_parts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (shard(dir.path(), 0, 2), shard(dir.path(), 1, 2));
    let bytes = std::fs::read(&b).unwrap();
    let o = dcrisk(
        &[
            "merge",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            "good",
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let good = std::fs::read(dir.path().join("good/t/summary.json")).unwrap();
    let bad = dir.path().join("bad.dcrisk");
    let mut state = 0x5eed_u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for case in 0..200 {
        let mut m = bytes.clone();
        if case % 2 == 0 {
            let bit = next(m.len() * 8);
            m[bit / 8] ^= 1 << (bit % 8);
        } else {
            m.truncate(next(m.len()));
        }
        std::fs::write(&bad, &m).unwrap();
        let o = dcrisk(
            &[
                "merge",
                a.to_str().unwrap(),
                bad.to_str().unwrap(),
                "--out",
                "out",
                "--no-charts",
            ],
            dir.path(),
        );
        if o.status.success() {
            // Impossible with the checksum; were it to happen, the numbers must not move.
            let got = std::fs::read(dir.path().join("out/t/summary.json")).unwrap();
            assert!(
                got == good,
                "case {case}: a corrupt part merged to other numbers"
            );
            continue;
        }
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "case {case}: {err}");
        assert!(
            err.contains("bad.dcrisk") && !err.contains("panicked"),
            "{err}"
        );
        assert!(!dir.path().join("out").exists(), "case {case} wrote output");
    }
}

/// Not a part file at all: a folder, a device, an empty file, an older format.
#[test]
fn other_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let part = shard(dir.path(), 0, 1);
    let folder = dir.path().join("folder.dcrisk");
    std::fs::create_dir(&folder).unwrap();
    assert_refused(dir.path(), &[&folder], "not a regular file");
    if Path::new("/dev/zero").exists() {
        assert_refused(dir.path(), &[Path::new("/dev/zero")], "not a regular file");
    }
    let empty = dir.path().join("empty.dcrisk");
    std::fs::write(&empty, b"").unwrap();
    assert_refused(dir.path(), &[&empty], "truncated");
    let mut old = std::fs::read(&part).unwrap();
    old[15] = 1;
    let old_file = dir.path().join("old.dcrisk");
    std::fs::write(&old_file, old).unwrap();
    assert_refused(dir.path(), &[&old_file], "part format version 1");
}
