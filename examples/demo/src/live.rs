//! The live pages: a clock over Server-Sent Events and an echo over a
//! WebSocket, guarded like every page of the demo, both ended with the
//! session (`require_login::stream`), and the same clock through htmx's
//! SSE extension.

use std::convert::Infallible;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{Html, Response};
use futures_util::Stream;
use require_login::require_login;
use require_login::stream::SessionEnd;
use require_login::CLIENT_SCRIPT_TAG;

use crate::html::{fill, missing_banner, page};
use crate::{htmx_missing, AppState, NPM_HTMX_SSE, NPM_HTMX_WS};

/// The page with the clock and the echo.
#[require_login]
pub(crate) async fn live_page() -> Html<String> {
    page(
        "Live",
        CLIENT_SCRIPT_TAG,
        &fill(
            include_str!("../pages/live.html"),
            &[("live_js", include_str!("../static/live.js"))],
        ),
    )
}

/// The clock through htmx 2's SSE extension (`hx-ext="sse"`), and the
/// echo's socket through its WebSocket extension (`hx-ext="ws"`).
#[require_login]
pub(crate) async fn live_htmx_page(State(demo): State<AppState>) -> Html<String> {
    let missing: Vec<String> = [
        demo.config.htmx.as_path(),
        Path::new(NPM_HTMX_SSE),
        Path::new(NPM_HTMX_WS),
    ]
    .into_iter()
    .filter(|path| !path.is_file())
    .map(|path| missing_banner(&htmx_missing(path)))
    .collect();
    let head = if missing.is_empty() {
        format!(
            "{CLIENT_SCRIPT_TAG}<script src=\"/assets/htmx.min.js\"></script>\
             <script src=\"/assets/htmx-ext-sse.js\"></script>\
             <script src=\"/assets/htmx-ext-ws.js\"></script>"
        )
    } else {
        String::new()
    };
    page(
        "Live with htmx",
        &head,
        &fill(
            include_str!("../pages/live-htmx.html"),
            &[("missing", &missing.concat())],
        ),
    )
}

/// The server's time (UTC), now and then every second; the session watch
/// ends the stream when the session ends.
#[require_login]
pub(crate) async fn clock() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let ticks = futures_util::stream::unfold(true, |first| async move {
        if !first {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Some((Ok(Event::default().data(utc_time())), false))
    });
    Sse::new(ticks)
}

/// `HH:MM:SS UTC`.
fn utc_time() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (h, m, s) = ((seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
    format!("{h:02}:{m:02}:{s:02} UTC")
}

/// Sends back each text it gets; closed with code 4401 when the session ends.
#[require_login]
pub(crate) async fn echo(end: SessionEnd, upgrade: WebSocketUpgrade) -> Response {
    end.on_upgrade(upgrade, |mut socket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            let Message::Text(text) = message else {
                continue;
            };
            let reply = Message::Text(format!("echo: {}", text.as_str()).into());
            if socket.send(reply).await.is_err() {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_clock_reads_hours_minutes_seconds() {
        let time = super::utc_time();
        assert_eq!(time.len(), "00:00:00 UTC".len(), "{time}");
        assert!(time.ends_with(" UTC"));
    }
}
