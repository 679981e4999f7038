//! Import speed on a generated clickstream (not a timed test: run it by
//! hand in release mode).
//!
//! `STEPWISE_BENCH_CSV=/tmp/clicks.csv cargo run --release -p stepwise-engine --example import_speed`
//!
//! Without `STEPWISE_BENCH_CSV` it writes `STEPWISE_BENCH_ROWS` (default
//! 1,000,000) rows to a temporary file.

use std::io::Write;
use std::path::PathBuf;
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::{Job, Workspace};

fn generate(path: &std::path::Path, rows: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        f,
        "time,event,user,session,page,device,source,country,value"
    )
    .unwrap();
    let steps = [
        "landing", "list", "filter", "product", "cart", "checkout", "purchase",
    ];
    let devices = ["desktop", "mobile", "tablet"];
    let sources = ["google", "direct", "newsletter", "facebook", "bing"];
    let countries = ["US", "GB", "DE", "FR", "NL", "IN", "BR"];
    let mut x: u64 = 88172645463325252;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let t0 = 1_704_067_200i64;
    for i in 0..rows {
        let r = next();
        let step = (r % 7) as usize;
        let t = t0 + (i as i64) * 3;
        let (d, h, m, s) = (t / 86_400, (t / 3600) % 24, (t / 60) % 60, t % 60);
        let day = 1 + (d - t0 / 86_400) % 28;
        let user = (r >> 8) % 200_000;
        let value = if steps[step] == "purchase" {
            format!("{}.{:02}", 10 + (r >> 20) % 190, (r >> 30) % 100)
        } else {
            String::new()
        };
        writeln!(
            f,
            "2024-01-{day:02}T{h:02}:{m:02}:{s:02}Z,{},u{user},s{}-{},/{}/{},{},{},{},{value}",
            steps[step],
            user,
            (r >> 40) % 5,
            steps[step],
            (r >> 12) % 500,
            devices[((r >> 3) % 3) as usize],
            sources[((r >> 5) % 5) as usize],
            countries[((r >> 9) % 7) as usize],
        )
        .unwrap();
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("STEPWISE_BENCH_CSV") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = dir.path().join("clicks.csv");
            let rows = std::env::var("STEPWISE_BENCH_ROWS")
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(1_000_000);
            generate(&p, rows);
            p
        }
    };
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut ws = Workspace::open(&dir.path().join("bench.stepwise")).unwrap();
    let t = std::time::Instant::now();
    let info = import::import_file(
        &mut ws,
        &path,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{} rows, {:.1} MB in {:.2} s: {:.0} rows/s, {:.0} MB/s; kind {:?}; types {:?}",
        info.rows,
        bytes as f64 / 1e6,
        secs,
        info.rows as f64 / secs,
        bytes as f64 / 1e6 / secs,
        info.kind,
        info.columns
            .iter()
            .map(|c| (c.name.as_str(), c.ty.as_str(), c.role.map(|r| r.as_str())))
            .collect::<Vec<_>>()
    );
}
