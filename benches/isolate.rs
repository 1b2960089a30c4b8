//! Runs one measurement in a fresh child process (the bench binary re-executed), so both sides
//! start from the same state: on a multi-thread runtime, what one side left behind in the
//! allocator and thread pools measurably changed the other side's figures when they shared a
//! process.

use std::process::{Command, ExitCode};

use crate::scenarios::{self, Ctx, Flavour, Side, Sizes};

const ENV: &str = "TA_BENCH_ISOLATED";
const VALUES_PREFIX: &str = "TA_BENCH_VALUES=";

fn side_label(side: Side) -> &'static str {
    match side {
        Side::Ours => "ours",
        Side::Raw => "raw",
    }
}

/// Parent side: one warm-up and one measured run of `scenario` in a child process.
pub fn measure_in_child(scenario: &str, flavour: Flavour, side: Side, quick: bool) -> Vec<f64> {
    let exe = std::env::current_exe().expect("current exe");
    let spec = format!(
        "{scenario}:{}:{}:{}",
        flavour.label(),
        side_label(side),
        quick
    );
    let output = Command::new(exe)
        .env(ENV, &spec)
        .output()
        .expect("run isolated child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "isolated child {spec} failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(VALUES_PREFIX))
        .expect("child printed its values")
        .split(',')
        .map(|v| v.parse().expect("a number"))
        .collect()
}

/// Child side: if this process was started by [`measure_in_child`], measure and exit.
pub fn child_main() -> Option<ExitCode> {
    let spec = std::env::var(ENV).ok()?;
    let parts: Vec<&str> = spec.split(':').collect();
    let [name, flavour, side, quick] = parts[..] else {
        eprintln!("bad {ENV} value {spec:?}");
        return Some(ExitCode::FAILURE);
    };
    let scenario = scenarios::all().into_iter().find(|s| s.name == name)?;
    let flavour = Flavour::from_label(flavour)?;
    let side = if side == "ours" {
        Side::Ours
    } else {
        Side::Raw
    };
    let sizes = if quick == "true" {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    let mut values = Vec::new();
    for _warm_up_then_measure in 0..2 {
        let rt = flavour.runtime();
        let ctx = Ctx {
            rt: &rt,
            flavour,
            side,
            sizes: &sizes,
        };
        values = (scenario.run)(&ctx);
        drop(rt);
    }
    let text: Vec<String> = values.iter().map(f64::to_string).collect();
    println!("{VALUES_PREFIX}{}", text.join(","));
    Some(ExitCode::SUCCESS)
}
