//! Runs the require-login demo: `cargo run -p require-login-demo`.
//!
//! Arguments:
//! - `--sessions redis://127.0.0.1:6379`: keep sessions in that Redis, shared
//!   by every demo started with the same URL (default `memory`: in this
//!   process only).
//!
//! Environment:
//! - `DEMO_ADDR`: where to listen (default `127.0.0.1:3000`);
//! - `DEMO_IDLE_SECONDS`: a session ends after this many seconds without a request (default 30);
//! - `DEMO_JQUERY`: jQuery's file (default Debian's `/usr/share/javascript/jquery/jquery.min.js`);
//! - `DEMO_HTMX`: htmx's file (default `examples/node_modules/htmx.org/dist/htmx.min.js`, from `npm ci`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use require_login::stream::RedisNews;
use require_login_demo::{app_on, redis, DemoConfig, DEMO_PASSWORD};
use tower_sessions::MemoryStore;

fn env_or(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where sessions are kept: `--sessions memory` (the default) or `--sessions redis://...`.
fn sessions_arg() -> Result<Option<String>, String> {
    const USAGE: &str = "usage: demo [--sessions memory|redis://HOST:PORT]";
    let mut args = std::env::args().skip(1);
    let mut sessions = None;
    while let Some(arg) = args.next() {
        let value = match arg.split_once('=') {
            Some(("--sessions", value)) => value.to_owned(),
            _ if arg == "--sessions" => args
                .next()
                .ok_or_else(|| format!("--sessions needs a value; {USAGE}"))?,
            _ => return Err(format!("unknown argument {arg:?}; {USAGE}")),
        };
        sessions = match value.as_str() {
            "memory" => None,
            url if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Some(url.to_owned())
            }
            other => {
                return Err(format!(
                    "--sessions {other:?} is neither `memory` nor a redis:// URL; {USAGE}"
                ))
            }
        };
    }
    Ok(sessions)
}

fn config() -> Result<(SocketAddr, DemoConfig), String> {
    let addr = env_or("DEMO_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| format!("DEMO_ADDR={addr:?} is not an address such as 127.0.0.1:3000: {e}"))?;
    let mut config = DemoConfig::default();
    if let Some(idle) = env_or("DEMO_IDLE_SECONDS") {
        let secs: u64 = idle.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
            format!("DEMO_IDLE_SECONDS={idle:?} is not a whole number of seconds above 0")
        })?;
        config.idle = Duration::from_secs(secs);
    }
    if let Some(path) = env_or("DEMO_JQUERY") {
        config.jquery = path.into();
    }
    if let Some(path) = env_or("DEMO_HTMX") {
        config.htmx = path.into();
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
    let ((addr, config), redis_url) = match config().and_then(|c| Ok((c, sessions_arg()?))) {
        Ok(c) => c,
        Err(why) => {
            eprintln!("demo: {why}");
            return ExitCode::FAILURE;
        }
    };
    for missing in config.missing_assets() {
        eprintln!("demo: warning: {missing}");
    }
    let idle = config.idle.as_secs();
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("demo: cannot listen on {addr}: {e} (set DEMO_ADDR to another address)");
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    let (app, kept) = match &redis_url {
        None => (
            app_on(config, MemoryStore::default()),
            "in memory".to_owned(),
        ),
        Some(url) => match (redis::connect(url).await, RedisNews::connect(url).await) {
            (Ok(store), Ok(news)) => {
                // Instances on one Redis tell each other of ended sessions.
                let config = DemoConfig {
                    watch: config.watch.with_news(news),
                    ..config
                };
                (
                    app_on(config, redis::On014(store)),
                    format!("in Redis at {url}"),
                )
            }
            (Err(why), _) => {
                eprintln!("demo: {why}");
                return ExitCode::FAILURE;
            }
            (_, Err(why)) => {
                eprintln!("demo: news of ended sessions over {url}: {why}");
                return ExitCode::FAILURE;
            }
        },
    };
    println!("require-login demo: open http://{local}/ (sessions kept {kept})");
    println!("  log in with any user name and the password {DEMO_PASSWORD:?}; sessions end after {idle} s idle (DEMO_IDLE_SECONDS)");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("demo: server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
