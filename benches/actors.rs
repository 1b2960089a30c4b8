//! Benchmark suite of `tokio-actors`: every scenario is measured twice in the same process,
//! once through the crate ("ours") and once with plain Tokio primitives doing the same work
//! ("raw"), on a 2-worker multi-thread runtime and on a current-thread runtime. The table
//! reports the median of the repetitions and the ratio ours/raw.
//!
//! ```text
//! cargo bench                      # everything
//! cargo bench -- tell ask          # only these scenarios (exact names)
//! cargo bench -- --quick           # reduced sizes, smoke check
//! cargo bench -- --reps 5          # repetitions (default 5)
//! cargo bench -- --scale           # only the scale series, including `scale-1m`
//! cargo bench -- --csv rows.csv    # also write the rows as CSV (for scripts/plot_scale.py)
//! ```
//!
//! See BENCHMARKS.md for what each scenario measures.

mod isolate;
mod scenarios;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use scenarios::{Better, Ctx, Flavour, Scenario, Side, Sizes, Unit};

struct Options {
    quick: bool,
    reps: usize,
    filters: Vec<String>,
    /// Select the scale series (`supervisor-*`, `scale-*`), `scale-1m` included.
    scale: bool,
    csv: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        quick: false,
        reps: 5,
        filters: Vec::new(),
        scale: false,
        csv: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--scale" => options.scale = true,
            "--csv" => options.csv = Some(args.next().ok_or("--csv needs a file path")?),
            "--reps" => {
                let n = args.next().ok_or("--reps needs a number")?;
                options.reps = n.parse().map_err(|_| format!("bad --reps value {n}"))?;
                if options.reps == 0 {
                    return Err("--reps must be at least 1".into());
                }
            }
            // `cargo bench` passes `--bench`; ignore it and any other libtest-style flag.
            flag if flag.starts_with("--") => {}
            name => options.filters.push(name.to_string()),
        }
    }
    Ok(options)
}

/// The median of the repetitions of one metric, with the relative spread (max-min)/median.
struct Summary {
    median: f64,
    spread: f64,
}

fn summarize(mut values: Vec<f64>) -> Summary {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    let spread = if median > 0.0 {
        (values[values.len() - 1] - values[0]) / median
    } else {
        0.0
    };
    Summary { median, spread }
}

struct Row {
    scenario: &'static str,
    metric: &'static str,
    flavour: Flavour,
    unit: Unit,
    better: Better,
    target: Option<f64>,
    ours: Summary,
    raw: Summary,
}

impl Row {
    fn ratio(&self) -> f64 {
        if self.raw.median > 0.0 {
            self.ours.median / self.raw.median
        } else {
            f64::NAN
        }
    }

    fn verdict(&self) -> &'static str {
        match self.target {
            None => "info",
            Some(target) => {
                let met = match self.better {
                    Better::Higher => self.ratio() >= target,
                    Better::Lower => self.ratio() <= target,
                };
                if met {
                    "met"
                } else {
                    "MISSED"
                }
            }
        }
    }
}

/// Runs one scenario on one flavour: `reps` repetitions, ours and raw alternating first.
fn measure(
    scenario: &Scenario,
    flavour: Flavour,
    sizes: &Sizes,
    reps: usize,
    quick: bool,
) -> Vec<Row> {
    let n = scenario.metrics.len();
    let mut ours: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut raw: Vec<Vec<f64>> = vec![Vec::new(); n];
    for rep in 0..reps {
        let order = if rep % 2 == 0 {
            [Side::Ours, Side::Raw]
        } else {
            [Side::Raw, Side::Ours]
        };
        for side in order {
            // Each measurement runs in a fresh process (with its own warm-up run), so neither
            // side inherits the other's allocator or thread state.
            let values = if scenario.fresh_process {
                let rt = flavour.runtime();
                let ctx = Ctx {
                    rt: &rt,
                    flavour,
                    side,
                    sizes,
                };
                (scenario.run)(&ctx)
            } else {
                isolate::measure_in_child(scenario.name, flavour, side, quick)
            };
            assert_eq!(values.len(), n, "scenario {} metric count", scenario.name);
            let sink = match side {
                Side::Ours => &mut ours,
                Side::Raw => &mut raw,
            };
            for (slot, value) in sink.iter_mut().zip(values) {
                slot.push(value);
            }
        }
    }
    scenario
        .metrics
        .iter()
        .zip(ours.into_iter().zip(raw))
        .map(|(spec, (o, r))| Row {
            scenario: scenario.name,
            metric: spec.name,
            flavour,
            unit: spec.unit,
            better: spec.better,
            target: spec.target,
            ours: summarize(o),
            raw: summarize(r),
        })
        .collect()
}

fn header() -> String {
    format!(
        "| {:<15} | {:<16} | {:<7} | {:>12} | {:>12} | {:>6} | {:<6} | {:<7} | {:<6} | {:>11} |",
        "scenario",
        "metric",
        "runtime",
        "ours",
        "raw",
        "ratio",
        "better",
        "target",
        "result",
        "spread o/r"
    )
}

fn separator() -> String {
    "|-----------------|------------------|---------|--------------|--------------|--------|--------|---------|--------|-------------|".to_string()
}

fn format_row(row: &Row) -> String {
    let target = match (row.target, row.better) {
        (Some(t), Better::Higher) => format!(">= {t:.2}"),
        (Some(t), Better::Lower) => format!("<= {t:.2}"),
        (None, _) => "-".to_string(),
    };
    let better = match row.better {
        Better::Higher => "higher",
        Better::Lower => "lower",
    };
    format!(
        "| {:<15} | {:<16} | {:<7} | {:>12} | {:>12} | {:>6.3} | {:<6} | {:<7} | {:<6} | {:>11} |",
        row.scenario,
        row.metric,
        row.flavour.label(),
        row.unit.format(row.ours.median),
        row.unit.format(row.raw.median),
        row.ratio(),
        better,
        target,
        row.verdict(),
        format!(
            "{:.0}%/{:.0}%",
            row.ours.spread * 100.0,
            row.raw.spread * 100.0
        )
    )
}

/// The CSV header matching [`csv_row`].
const CSV_HEADER: &str =
    "scenario,metric,runtime,unit,ours,raw,ratio,better,target,result,spread_ours,spread_raw";

/// One row as CSV: raw numbers (the unit's base: µs, ns, bytes, events/s), no formatting.
fn csv_row(row: &Row) -> String {
    let unit = match row.unit {
        Unit::PerSec => "per_s",
        Unit::Nanos => "ns",
        Unit::Micros => "us",
        Unit::Bytes => "bytes",
    };
    let better = match row.better {
        Better::Higher => "higher",
        Better::Lower => "lower",
    };
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{}",
        row.scenario,
        row.metric,
        row.flavour.label(),
        unit,
        row.ours.median,
        row.raw.median,
        row.ratio(),
        better,
        row.target.map_or(String::new(), |t| t.to_string()),
        row.verdict(),
        row.ours.spread,
        row.raw.spread
    )
}

/// Pairs of scale scenarios whose per-actor cost should not grow with the count: (larger,
/// smaller, count ratio).
const LINEARITY: &[(&str, &str, f64)] = &[
    ("supervisor-100k", "supervisor-10k", 10.0),
    ("scale-100k", "scale-10k", 10.0),
    ("scale-1m", "scale-100k", 10.0),
];

/// Prints, for each pair measured, how the larger run's total compares with `factor` times the
/// smaller one's (1.0 = exactly linear; the target is at most 2.0).
fn print_linearity(rows: &[Row]) {
    let total = |scenario: &str, flavour: Flavour| {
        rows.iter().find(|r| {
            r.scenario == scenario && r.flavour == flavour && r.metric == "total per actor"
        })
    };
    let mut header = false;
    for &(large, small, factor) in LINEARITY {
        for flavour in [Flavour::MultiThread2, Flavour::CurrentThread] {
            let (Some(l), Some(s)) = (total(large, flavour), total(small, flavour)) else {
                continue;
            };
            if !header {
                println!("\nlinearity: total time of the larger run / ({factor} x the smaller run), per side (target <= 2.0 for ours)");
                header = true;
            }
            println!(
                "  {large} vs {small} ({}): ours {:.3}, raw {:.3}",
                flavour.label(),
                l.ours.median / s.ours.median,
                l.raw.median / s.raw.median
            );
        }
    }
}

fn main() -> ExitCode {
    // Child modes: one isolated measurement, or the `memory` scenario's fresh process.
    if let Some(code) = isolate::child_main() {
        return code;
    }
    if let Some(code) = scenarios::resources::memory_child() {
        return code;
    }
    let options = match parse_args() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let all = scenarios::all();
    for filter in &options.filters {
        if !all.iter().any(|s| s.name == filter) {
            let names: Vec<_> = all.iter().map(|s| s.name).collect();
            eprintln!(
                "error: unknown scenario {filter:?}; known: {}",
                names.join(", ")
            );
            return ExitCode::FAILURE;
        }
    }
    let is_scale = |name: &str| name.starts_with("scale-") || name.starts_with("supervisor-");
    let selected: Vec<&Scenario> = all
        .iter()
        .filter(|s| {
            let named = options.filters.iter().any(|f| f == s.name);
            let default = options.filters.is_empty()
                && !options.scale
                && !scenarios::scale::SCALE_ONLY.contains(&s.name);
            named || default || (options.scale && is_scale(s.name))
        })
        .collect();
    let mut csv = match &options.csv {
        Some(path) => match File::create(path) {
            Ok(file) => {
                let mut w = BufWriter::new(file);
                if writeln!(w, "{CSV_HEADER}").is_err() {
                    eprintln!("error: cannot write {path}");
                    return ExitCode::FAILURE;
                }
                Some(w)
            }
            Err(e) => {
                eprintln!("error: cannot create {path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    let sizes = if options.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    println!(
        "tokio-actors benchmarks: {} mode, {} repetitions, each in a fresh process after a warm-up run (median reported), {} CPUs available",
        if options.quick { "quick" } else { "full" },
        options.reps,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!("runtimes: mt-2 = multi-thread, 2 workers; ct = current-thread");
    println!("ratio = ours / raw; `better` says which direction is better for ours\n");
    println!("{}", header());
    println!("{}", separator());
    let mut rows = Vec::new();
    for scenario in selected {
        for flavour in [Flavour::MultiThread2, Flavour::CurrentThread] {
            let started = std::time::Instant::now();
            for row in measure(scenario, flavour, &sizes, options.reps, options.quick) {
                println!("{}", format_row(&row));
                if let Some(w) = csv.as_mut() {
                    // Flushed per row, so an interrupted run keeps what it measured.
                    if writeln!(w, "{}", csv_row(&row))
                        .and_then(|()| w.flush())
                        .is_err()
                    {
                        eprintln!("warning: writing the CSV file failed");
                    }
                }
                rows.push(row);
            }
            eprintln!(
                "  [{} / {} took {:.1} s]",
                scenario.name,
                flavour.label(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let missed: Vec<String> = rows
        .iter()
        .filter(|r| r.verdict() == "MISSED")
        .map(|r| {
            format!(
                "{} {} ({}): {:.2}",
                r.scenario,
                r.metric,
                r.flavour.label(),
                r.ratio()
            )
        })
        .collect();
    let checked = rows.iter().filter(|r| r.target.is_some()).count();
    println!(
        "\ntargets: {} checked, {} met, {} missed",
        checked,
        checked - missed.len(),
        missed.len()
    );
    for m in &missed {
        println!("  missed: {m}");
    }
    print_linearity(&rows);
    ExitCode::SUCCESS
}
