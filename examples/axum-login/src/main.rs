//! Runs the axum-login example: `cargo run -p require-login-axum-login-example`.
//!
//! Environment: `EXAMPLE_ADDR` (default `127.0.0.1:3001`), `EXAMPLE_IDLE_SECONDS`
//! (a session ends after this many seconds without a request; default 30).

use std::fmt::Display;
use std::net::SocketAddr;
use std::num::NonZeroU64;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use require_login_axum_login_example::{app, Config, ACCOUNTS};
use tracing_subscriber::EnvFilter;

fn config() -> Result<(SocketAddr, Config), String> {
    let addr = from_env("EXAMPLE_ADDR", "an address such as 127.0.0.1:3001")?
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3001)));
    let mut config = Config::default();
    let idle: Option<NonZeroU64> =
        from_env("EXAMPLE_IDLE_SECONDS", "a whole number of seconds above 0")?;
    if let Some(secs) = idle {
        config.idle = Duration::from_secs(secs.get());
    }
    Ok((addr, config))
}

/// The environment variable `name` parsed, `None` when unset or blank; the
/// error says it is not `what`.
fn from_env<T: FromStr<Err: Display>>(name: &str, what: &str) -> Result<Option<T>, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|e| format!("{name}={value:?} is not {what}: {e}")),
        _ => Ok(None),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("example: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Serves the example until the server fails; the error says why.
async fn run() -> Result<(), String> {
    let (addr, config) = config()?;
    let idle = config.idle.as_secs();
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        format!("cannot listen on {addr}: {e} (set EXAMPLE_ADDR to another address)")
    })?;
    let local = listener.local_addr().unwrap_or(addr);
    println!("require-login on axum-login: open http://{local}/");
    let accounts: Vec<String> = ACCOUNTS.iter().map(|(u, p)| format!("{u} / {p}")).collect();
    println!(
        "  accounts: {}; sessions end after {idle} s idle (EXAMPLE_IDLE_SECONDS)",
        accounts.join(", ")
    );
    axum::serve(listener, app(config))
        .await
        .map_err(|e| format!("server error: {e}"))
}
