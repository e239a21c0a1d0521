//! One instance of a small app on tower-sessions 0.14 with its sessions in
//! Redis (`tower-sessions-redis-store` 0.16), as a real deployment runs
//! several: the two-instance tests (`tests/redis.rs`) and the soak
//! (`tests/soak.rs`) start it as separate processes on one Redis.
//!
//! ```text
//! instance --redis redis://127.0.0.1:6379 [--idle-seconds 30] [--command-timeout-seconds 2]
//!          [--deadline-seconds N]  (the guard's own idle deadline, `DeadlineLayer`)
//!          [--check guard|hand-written]
//!          [--recheck-ms N] [--news redis://...]  (a `SessionWatch` over the streams:
//!          its re-check interval, and Redis pub/sub for news of ended sessions)
//! ```
//!
//! It listens on an ephemeral loopback port and prints
//! `listening on http://127.0.0.1:PORT` once it serves; it logs to stderr.
//!
//! Routes: `POST /login?user=NAME` and `POST /logout` (204), and three
//! guarded ones that answer with the session's user, so a client can tell
//! whose session was served: `GET /page` (a page), `GET /api/whoami` (JSON),
//! `GET /fragment` (an htmx fragment), and `GET /events`, an SSE stream
//! of a tick every 100 ms that ends with the session (with a watch, which
//! also adds `POST /remove?user=NAME`: `SessionWatch::end_user`). With `--check hand-written` the three
//! are checked by hand as the benchmarks' hand-written check does
//! (`benches/src/lib.rs`), for comparison under the same load.

use std::process::ExitCode;
use std::time::Duration;

use axum::extract::{Query, Request};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use require_login::stream::{RedisNews, SessionWatch, DEFAULT_RECHECK};
use require_login::{options::SESSION_KEY, require_login, LOGIN_REQUIRED};
use tower_sessions_014::{Expiry, Session, SessionManagerLayer};

#[derive(serde::Deserialize)]
struct LoginQuery {
    user: String,
}

async fn log_in(session: Session, Query(query): Query<LoginQuery>) -> StatusCode {
    match require_login::login(&session, &query.user).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(error) => {
            tracing::error!(%error, "instance: login failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn log_out(session: Session) -> StatusCode {
    match require_login::logout(&session).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(error) => {
            tracing::error!(%error, "instance: logout failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// The user the guard let through.
async fn user(session: &Session) -> String {
    session
        .get::<String>(SESSION_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

#[require_login]
async fn page(session: Session) -> Html<String> {
    Html(format!("<p>page of {}</p>", user(&session).await))
}

#[require_login]
async fn whoami(session: Session) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "user": user(&session).await }))
}

#[require_login]
async fn fragment(session: Session) -> Html<String> {
    Html(format!("<p>fragment of {}</p>", user(&session).await))
}

/// A tick every 100 ms, for ever; the watch ends it with the session.
#[require_login]
async fn events() -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let ticks = futures_util::stream::unfold(0u64, |n| async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((Ok(Event::default().data(format!("tick {n}"))), n + 1))
    });
    Sse::new(ticks)
}

/// What a user writes without this crate (the benchmarks' hand-written
/// check): the session's user, else a redirect, or the sentinel for jQuery.
async fn hand_written(session: Session, request: Request) -> Response {
    match session.get::<String>(SESSION_KEY).await {
        Ok(Some(user)) => {
            Html(format!("<p>{} of {user}</p>", request.uri().path())).into_response()
        }
        Ok(None) => {
            let ajax = request
                .headers()
                .get("x-requested-with")
                .is_some_and(|v| v == "XMLHttpRequest");
            if ajax {
                (StatusCode::FORBIDDEN, LOGIN_REQUIRED).into_response()
            } else {
                Redirect::to("/login").into_response()
            }
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

struct Args {
    redis: String,
    idle: Duration,
    deadline: Option<Duration>,
    hand_written: bool,
    command_timeout: Duration,
    recheck: Option<Duration>,
    news: Option<String>,
}

/// `value`, the value of `flag`, read as whole seconds.
fn seconds(flag: &str, value: &str) -> Result<Duration, String> {
    let secs: u64 = value
        .parse()
        .map_err(|e| format!("{flag} {value:?}: {e}"))?;
    Ok(Duration::from_secs(secs))
}

fn args() -> Result<Args, String> {
    let mut redis = None;
    let mut idle = Duration::from_secs(30);
    let mut deadline = None;
    let mut hand_written = false;
    let mut command_timeout = require_login_demo::redis::COMMAND_TIMEOUT;
    let mut recheck = None;
    let mut news = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--redis" => redis = Some(value()?),
            "--idle-seconds" => idle = seconds(&arg, &value()?)?,
            "--deadline-seconds" => deadline = Some(seconds(&arg, &value()?)?),
            "--command-timeout-seconds" => command_timeout = seconds(&arg, &value()?)?,
            "--recheck-ms" => {
                let value = value()?;
                let ms = value.parse().map_err(|e| format!("{arg} {value:?}: {e}"))?;
                recheck = Some(Duration::from_millis(ms));
            }
            "--news" => news = Some(value()?),
            "--check" => match value()?.as_str() {
                "guard" => hand_written = false,
                "hand-written" => hand_written = true,
                other => return Err(format!("--check {other:?}: guard or hand-written")),
            },
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let redis = redis.ok_or("--redis redis://HOST:PORT is required")?;
    Ok(Args {
        redis,
        idle,
        deadline,
        hand_written,
        command_timeout,
        recheck,
        news,
    })
}

/// The watch over the streams, when asked for.
async fn watch(args: &Args) -> Result<Option<SessionWatch>, String> {
    if args.recheck.is_none() && args.news.is_none() {
        return Ok(None);
    }
    let watch = SessionWatch::new().with_recheck(args.recheck.unwrap_or(DEFAULT_RECHECK));
    let Some(url) = &args.news else {
        return Ok(Some(watch));
    };
    let news = RedisNews::connect(url)
        .await
        .map_err(|e| format!("--news {url}: {e}"))?;
    Ok(Some(watch.with_news(news)))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let args = match args() {
        Ok(args) => args,
        Err(why) => {
            eprintln!("instance: {why}");
            return ExitCode::FAILURE;
        }
    };
    let store =
        match require_login_demo::redis::connect_with_timeout(&args.redis, args.command_timeout)
            .await
        {
            Ok(store) => store,
            Err(why) => {
                eprintln!("instance: {why}");
                return ExitCode::FAILURE;
            }
        };
    let idle = time::Duration::try_from(args.idle).unwrap_or(time::Duration::seconds(30));
    let sessions = SessionManagerLayer::new(store)
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(idle))
        // Every request counts as activity, on whichever instance it lands.
        .with_always_save(true);
    let guarded = if args.hand_written {
        Router::new()
            .route("/page", get(hand_written))
            .route("/api/whoami", get(hand_written))
            .route("/fragment", get(hand_written))
    } else {
        Router::new()
            .route("/page", get(page))
            .route("/api/whoami", get(whoami))
            .route("/fragment", get(fragment))
            .route("/events", get(events))
    };
    let guarded = match args.deadline {
        Some(idle) => guarded.layer(require_login::deadline::DeadlineLayer::new(
            require_login::deadline::Deadlines::new().with_idle(idle),
        )),
        None => guarded,
    };
    let app = guarded
        .route("/login", post(log_in))
        .route("/logout", post(log_out));
    let app = match watch(&args).await {
        // `POST /remove?user=NAME` ends the user's streams on every instance.
        Ok(Some(watch)) => {
            let remover = watch.clone();
            app.route(
                "/remove",
                post(move |Query(query): Query<LoginQuery>| async move {
                    remover.end_user(&query.user);
                    StatusCode::NO_CONTENT
                }),
            )
            .layer(watch)
        }
        Ok(None) => app,
        Err(why) => {
            eprintln!("instance: {why}");
            return ExitCode::FAILURE;
        }
    };
    let app = app.layer(sessions);
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("instance: cannot listen on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    println!("listening on http://{addr}");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("instance: server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
