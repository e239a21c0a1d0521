//! Runs the axum-login example: `cargo run -p require-login-axum-login-example`.
//!
//! Environment: `EXAMPLE_ADDR` (default `127.0.0.1:3001`), `EXAMPLE_IDLE_SECONDS`
//! (a session ends after this many seconds without a request; default 30).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use require_login_axum_login_example::{app, Config, ACCOUNTS};

fn config() -> Result<(SocketAddr, Config), String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let addr = var("EXAMPLE_ADDR").unwrap_or_else(|| "127.0.0.1:3001".to_owned());
    let addr: SocketAddr = addr.parse().map_err(|e| {
        format!("EXAMPLE_ADDR={addr:?} is not an address such as 127.0.0.1:3001: {e}")
    })?;
    let mut config = Config::default();
    if let Some(idle) = var("EXAMPLE_IDLE_SECONDS") {
        let secs: u64 = idle.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
            format!("EXAMPLE_IDLE_SECONDS={idle:?} is not a whole number of seconds above 0")
        })?;
        config.idle = Duration::from_secs(secs);
    }
    Ok((addr, config))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let (addr, config) = match config() {
        Ok(c) => c,
        Err(why) => {
            eprintln!("example: {why}");
            return ExitCode::FAILURE;
        }
    };
    let idle = config.idle.as_secs();
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "example: cannot listen on {addr}: {e} (set EXAMPLE_ADDR to another address)"
            );
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    println!("require-login on axum-login: open http://{local}/");
    let accounts: Vec<String> = ACCOUNTS.iter().map(|(u, p)| format!("{u} / {p}")).collect();
    println!(
        "  accounts: {}; sessions end after {idle} s idle (EXAMPLE_IDLE_SECONDS)",
        accounts.join(", ")
    );
    if let Err(e) = axum::serve(listener, app(config)).await {
        eprintln!("example: server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
