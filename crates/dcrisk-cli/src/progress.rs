//! Progress bars on stderr, only when it is a terminal.

use std::io::IsTerminal;

use dcrisk_core::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over paths, hidden when stderr is not a terminal (pipes, CI, files).
pub struct PathBar(ProgressBar);

impl PathBar {
    pub fn new(paths: u64, label: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(paths), ProgressDrawTarget::stderr());
        if !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:40.cyan/blue}] {human_pos}/{human_len} paths, {per_sec:0}, eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(label.to_string());
        PathBar(bar)
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for PathBar {
    fn advance(&self, paths: u64) {
        self.0.inc(paths);
    }
}

/// A counter of whole runs (a goal seek's evaluations, whose number is not known ahead),
/// hidden when stderr is not a terminal.
pub struct RunCounter(ProgressBar);

impl RunCounter {
    pub fn new(label: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template("{prefix} {spinner} {human_pos} runs, {elapsed} {msg}")
                .expect("valid template"),
        );
        bar.set_prefix(label.to_string());
        RunCounter(bar)
    }

    /// One more run done; `msg` says where.
    pub fn tick(&self, msg: String) {
        self.0.inc(1);
        self.0.set_message(msg);
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
