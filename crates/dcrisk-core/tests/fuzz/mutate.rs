//! Hostile variants of a valid scenario file, shared by the fuzz tests of the reader
//! (dcrisk-core) and of the binary (dcrisk-cli, which includes this file by path).

use dcrisk_core::random::Draws;

/// The CLI's starter scenario (one site, one market), two years: the valid text every
/// case starts from.
pub fn base_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dcrisk-cli/templates/starter.toml"
    );
    std::fs::read_to_string(path)
        .expect("the starter template")
        .replace("{{NAME}}", "fuzz")
        .replace("horizon_years = 15", "horizon_years = 2")
}

/// Values a hostile or careless user might type where a number is expected.
pub const HOSTILE: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "0.5",
    "1e-300",
    "-1e-300",
    "1e300",
    "-1e300",
    "1e308",
    "1.7976931348623157e308",
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "-inf",
    "+inf",
    "2e20",
    "1e6",
    "1e4",
    "1e9",
    "-0.9999999",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "4294967295",
    "4294967296",
    "100",
    "101",
    "1200",
    "1201",
    "12",
    "13",
    "99999",
    "\"abc\"",
    "\"\"",
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "{ min = 5, mode = 1, max = 3 }",
    "{ min = -1, mode = 0, max = 1 }",
    "1979-05-27",
    "0x10",
    "1_000",
    "3.",
    ".5",
    "--1",
];

/// One mutation of `text`, drawn with `d`.
pub fn mutate(text: &str, d: &mut Draws) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let pick =
        |d: &mut Draws, n: usize| ((d.uniform() * n as f64) as usize).min(n.saturating_sub(1));
    let rounds = 1 + pick(d, 3);
    for _ in 0..rounds {
        let n = lines.len();
        if n == 0 {
            break;
        }
        let i = pick(d, n);
        match pick(d, 10) {
            // A value swapped for a hostile one (the most common and most telling mutation).
            0..=5 => {
                if let Some(eq) = lines[i].find('=') {
                    let (key, _) = lines[i].split_at(eq);
                    let value = HOSTILE[pick(d, HOSTILE.len())];
                    lines[i] = format!("{key}= {value}");
                }
            }
            6 => {
                lines.remove(i);
            }
            7 => {
                let line = lines[i].clone();
                lines.insert(i, line);
            }
            8 => {
                let line = &mut lines[i];
                let cut = pick(d, line.len() + 1);
                line.truncate(line.floor_char_boundary(cut));
            }
            _ => {
                // A byte flipped, kept only if the text stays UTF-8 (the reader takes
                // text; non-UTF-8 files are the CLI's to refuse).
                let mut bytes = lines[i].clone().into_bytes();
                if !bytes.is_empty() {
                    let at = pick(d, bytes.len());
                    bytes[at] ^= 1 << pick(d, 8);
                    if let Ok(s) = String::from_utf8(bytes) {
                        lines[i] = s;
                    }
                }
            }
        }
    }
    lines.join("\n")
}
