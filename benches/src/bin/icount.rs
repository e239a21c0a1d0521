//! Runs one benchmark scenario N times, for instruction counting:
//!
//! ```text
//! icount <scenario> <N>
//! icount --list
//! ```
//!
//! `benches/callgrind.sh` runs it under `valgrind --tool=callgrind` at two N
//! and divides the difference by the difference of N, which cancels set-up.

use std::hint::black_box;
use std::process::ExitCode;

use require_login_benches::stream::{StreamBench, StreamScenario};
use require_login_benches::{runtime, Bench, Scenario};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for scenario in Scenario::ALL {
            println!("{}\t{}", scenario.name(), scenario.describe());
        }
        for scenario in StreamScenario::ALL {
            println!("{}\t{}", scenario.name(), scenario.describe());
        }
        return ExitCode::SUCCESS;
    }
    let (Some(name), Some(n)) = (args.first(), args.get(1)) else {
        return usage();
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("N must be a whole number, not {n:?}");
        return usage();
    };
    // A stream scenario counts events of one open stream, not requests,
    // read by a task of its own, as a server's connection task reads them.
    if let Some(scenario) = StreamScenario::from_name(name) {
        runtime().block_on(async {
            let mut bench = StreamBench::new(scenario).await;
            let reader = tokio::spawn(async move {
                for _ in 0..n {
                    black_box(bench.next_event().await);
                }
            });
            reader.await.expect("the reader finishes");
        });
        return ExitCode::SUCCESS;
    }
    let Some(scenario) = Scenario::from_name(name) else {
        eprintln!("unknown scenario {name:?}");
        return usage();
    };
    runtime().block_on(async {
        let bench = Bench::new(scenario).await;
        for _ in 0..n {
            black_box(bench.send().await);
        }
    });
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    let names: Vec<&str> = Scenario::ALL
        .iter()
        .map(|s| s.name())
        .chain(StreamScenario::ALL.iter().map(|s| s.name()))
        .collect();
    eprintln!(
        "usage: icount <scenario> <N> | icount --list\nscenarios: {}",
        names.join(" ")
    );
    ExitCode::from(2)
}
