//! Streams end with the session: a logged-out `EventSource` or WebSocket
//! upgrade gets the denial and nothing else; an open SSE stream ends with
//! the final event and a WebSocket with close code 4401 when the session
//! ends (a logout from another request, a deadline, the store's word),
//! over real HTTP on loopback, whether the handler watches the end or not.

use std::str::FromStr;
use std::time::{Duration, Instant};

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
use futures_util::{SinkExt, Stream, StreamExt};
use require_login::deadline::{DeadlineLayer, Deadlines};
use require_login::stream::{SessionEnd, SessionWatch, CLOSE_CODE};
use require_login::{require_login, LOGIN_REQUIRED};
use require_login_tests::events::Events;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tower_sessions::session::Id;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer, SessionStore};

#[derive(serde::Deserialize)]
struct User {
    user: String,
}

async fn log_in(session: Session, Query(User { user }): Query<User>) -> StatusCode {
    require_login::login(&session, &user).await.unwrap();
    StatusCode::NO_CONTENT
}

async fn log_out(session: Session) -> StatusCode {
    require_login::logout(&session).await.unwrap();
    StatusCode::NO_CONTENT
}

#[require_login]
async fn page() -> &'static str {
    "page"
}

/// A tick every 50 ms, for ever; it never looks at the session's end.
#[require_login]
async fn ticks() -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let ticks = tokio_stream_ticks(Duration::from_millis(50));
    Sse::new(ticks.map(|n| Ok(Event::default().data(format!("tick {n}")))))
}

fn tokio_stream_ticks(every: Duration) -> impl Stream<Item = u64> {
    futures_util::stream::unfold(0u64, move |n| async move {
        tokio::time::sleep(every).await;
        Some((n, n + 1))
    })
}

/// Echoes what it gets.
#[require_login]
async fn echo(end: SessionEnd, upgrade: WebSocketUpgrade) -> Response {
    end.on_upgrade(upgrade, |mut socket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            if socket.send(message).await.is_err() {
                break;
            }
        }
    })
}

/// Holds the socket and does nothing with it, never asking about the end.
#[require_login]
async fn silent(end: SessionEnd, upgrade: WebSocketUpgrade) -> Response {
    end.on_upgrade(upgrade, |socket| async move {
        let _kept = socket;
        std::future::pending::<()>().await;
    })
}

/// The app on loopback, and what the tests reach into.
struct Server {
    base: String,
    store: MemoryStore,
    watch: SessionWatch,
}

async fn serve(deadlines: Option<Deadlines>, recheck: Duration) -> Server {
    let store = MemoryStore::default();
    let watch = SessionWatch::new().with_recheck(recheck);
    let routes = Router::new()
        .route("/login", post(log_in))
        .route("/logout", post(log_out))
        .route("/page", get(page))
        .route("/ticks", get(ticks))
        .route("/echo", any(echo))
        .route("/silent", any(silent));
    let routes = match deadlines {
        Some(deadlines) => routes.layer(DeadlineLayer::new(deadlines)),
        None => routes,
    };
    let app = routes
        .layer(watch.clone())
        .layer(SessionManagerLayer::new(store.clone()).with_secure(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server { base, store, watch }
}

impl Server {
    async fn log_in(&self, user: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/login?user={user}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }

    async fn post(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, cookie).await
    }

    async fn get(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, cookie).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, cookie: &str) -> reqwest::Response {
        reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// Opens `path` as an `EventSource` does, from the page `/live`.
    async fn events(&self, path: &str, cookie: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .header("accept", "text/event-stream")
            .header("sec-fetch-mode", "cors")
            .header("referer", format!("{}/live", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn socket(&self, path: &str, cookie: &str) -> Result<Socket, tungstenite::Error> {
        let url = format!("{}{path}", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
        request
            .headers_mut()
            .insert("referer", format!("{}/live", self.base).parse().unwrap());
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(socket)
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The close frame, skipping echoed messages; panics after 5 s.
async fn close_frame(socket: &mut Socket) -> (u16, String) {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a close frame within 5 s")
            .expect("a close frame before the end")
            .unwrap();
        if let Message::Close(frame) = message {
            let frame = frame.expect("a close frame with a code");
            return (u16::from(frame.code), frame.reason.to_string());
        }
    }
}

const NO_RECHECK: Duration = Duration::from_secs(600);

#[tokio::test]
async fn a_logged_out_event_source_gets_the_denial_and_no_event() {
    let server = serve(None, NO_RECHECK).await;
    let response = server.events("/ticks", "").await;
    assert_eq!(response.status(), 403);
    assert_eq!(response.headers()["x-login-url"], "/login?next=/live");
    assert_ne!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(response.text().await.unwrap(), LOGIN_REQUIRED);
    // Without `Sec-Fetch-Mode` (not a browser) it is still the sentinel:
    // asking for `text/event-stream` is a script's call.
    let bare = reqwest::Client::new()
        .get(format!("{}/ticks", server.base))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 403);
}

#[tokio::test]
async fn a_logged_out_websocket_upgrade_gets_the_denial_and_no_101() {
    let server = serve(None, NO_RECHECK).await;
    for path in ["/echo", "/silent"] {
        let Err(tungstenite::Error::Http(response)) = server.socket(path, "").await else {
            panic!("{path}: the upgrade succeeded for a logged-out user");
        };
        assert_eq!(response.status(), 403, "{path}");
        assert_eq!(response.headers()["x-login-url"], "/login?next=/live");
        let body = response.body().as_deref().map(String::from_utf8_lossy);
        assert_eq!(body.as_deref(), Some(LOGIN_REQUIRED), "{path}");
    }
}

#[tokio::test]
async fn a_logout_from_another_request_ends_the_sse_stream_with_the_final_event() {
    let server = serve(None, NO_RECHECK).await;
    let cookie = server.log_in("ada").await;
    let mut events = Events::new(server.events("/ticks", &cookie).await);
    assert_eq!(events.next().await.unwrap().data, "tick 0");
    assert_eq!(server.watch.watched(), 1);

    let logged_out = Instant::now();
    assert_eq!(server.post("/logout", &cookie).await.status(), 204);
    let end = events.final_event().await;
    let took = logged_out.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "ended {took:?} after the logout"
    );
    assert_eq!(end["login"], "/login?next=/live");
    assert_eq!(end["reason"], "logged-out");
    // The reconnection an `EventSource` would make is denied.
    assert_eq!(server.events("/ticks", &cookie).await.status(), 403);
}

#[tokio::test]
async fn a_logout_closes_the_websocket_with_the_close_code() {
    let server = serve(None, NO_RECHECK).await;
    let cookie = server.log_in("ada").await;
    let mut socket = server.socket("/echo", &cookie).await.unwrap();
    socket.send(Message::text("hello")).await.unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Message::text("hello")
    );

    let logged_out = Instant::now();
    assert_eq!(server.post("/logout", &cookie).await.status(), 204);
    let (code, reason) = close_frame(&mut socket).await;
    let took = logged_out.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "closed {took:?} after the logout"
    );
    assert_eq!(code, CLOSE_CODE);
    assert_eq!(CloseCode::from(code), CloseCode::Library(4401));
    assert_eq!(reason, "/login?next=/live");
}

#[tokio::test]
async fn a_handler_that_ignores_the_end_still_has_its_stream_ended() {
    let server = serve(None, NO_RECHECK).await;
    let cookie = server.log_in("ada").await;
    let mut events = Events::new(server.events("/ticks", &cookie).await);
    let mut socket = server.socket("/silent", &cookie).await.unwrap();
    assert_eq!(events.next().await.unwrap().data, "tick 0");

    server.post("/logout", &cookie).await;
    assert_eq!(events.final_event().await["reason"], "logged-out");
    assert_eq!(close_frame(&mut socket).await.0, CLOSE_CODE);
    // Both ended, the watch forgets the session.
    wait_until(|| server.watch.watched() == 0).await;
}

#[tokio::test]
async fn ending_one_session_leaves_the_other_sessions_streams_alone() {
    let server = serve(None, NO_RECHECK).await;
    let ada = server.log_in("ada").await;
    let bob = server.log_in("bob").await;
    let mut adas = Events::new(server.events("/ticks", &ada).await);
    let mut bobs = Events::new(server.events("/ticks", &bob).await);
    let mut bobs_socket = server.socket("/echo", &bob).await.unwrap();
    assert_eq!(server.watch.watched(), 2);

    server.post("/logout", &ada).await;
    adas.final_event().await;
    for _ in 0..3 {
        let event = bobs.next().await.unwrap();
        assert!(event.data.starts_with("tick"), "{event:?}");
    }
    bobs_socket.send(Message::text("still here")).await.unwrap();
    assert_eq!(
        bobs_socket.next().await.unwrap().unwrap(),
        Message::text("still here")
    );
    assert_eq!(server.get("/page", &bob).await.status(), 200);
}

#[tokio::test]
async fn the_idle_deadline_ends_streams_on_time_and_activity_moves_it() {
    let idle = Duration::from_secs(2);
    let server = serve(Some(Deadlines::new().with_idle(idle)), NO_RECHECK).await;
    let cookie = server.log_in("ada").await;
    let logged_in = Instant::now();
    let mut events = Events::new(server.events("/ticks", &cookie).await);
    let mut socket = server.socket("/echo", &cookie).await.unwrap();

    // Activity at 1 s moves the idle deadline to about 3 s after login.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(server.get("/page", &cookie).await.status(), 200);
    let end = events.final_event().await;
    let at = logged_in.elapsed();
    assert!(
        at >= Duration::from_millis(2900) && at < Duration::from_millis(3900),
        "ended {at:?} after login; the deadline was at 3 s"
    );
    assert_eq!(end["reason"], "idle");
    assert_eq!(end["login"], "/login?next=/live&reason=idle");
    let (code, reason) = close_frame(&mut socket).await;
    assert_eq!(code, CLOSE_CODE);
    assert_eq!(reason, "/login?next=/live&reason=idle");
}

#[tokio::test]
async fn the_absolute_deadline_ends_an_active_sessions_streams_on_time() {
    let deadlines = Deadlines::new()
        .with_idle(Duration::from_secs(60))
        .with_absolute(Duration::from_secs(2));
    let server = serve(Some(deadlines), NO_RECHECK).await;
    let cookie = server.log_in("ada").await;
    let logged_in = Instant::now();
    let mut events = Events::new(server.events("/ticks", &cookie).await);
    let active = async {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            server.get("/page", &cookie).await;
        }
    };
    let end = tokio::select! {
        end = events.final_event() => end,
        () = active => unreachable!(),
    };
    let at = logged_in.elapsed();
    assert!(
        at >= Duration::from_millis(1900) && at < Duration::from_millis(2900),
        "ended {at:?} after login; the lifetime was 2 s"
    );
    assert_eq!(end["reason"], "expired");
}

#[tokio::test]
async fn a_session_gone_from_the_store_ends_its_streams_at_the_recheck() {
    let recheck = Duration::from_millis(500);
    let server = serve(None, recheck).await;
    let cookie = server.log_in("ada").await;
    let mut events = Events::new(server.events("/ticks", &cookie).await);
    let mut socket = server.socket("/echo", &cookie).await.unwrap();
    events.next().await.unwrap();

    // Removed behind the app's back: no request of this instance saw it.
    let id = Id::from_str(cookie.split_once('=').unwrap().1).unwrap();
    server.store.delete(&id).await.unwrap();
    let removed = Instant::now();
    assert_eq!(events.final_event().await["reason"], "logged-out");
    let took = removed.elapsed();
    assert!(
        took < recheck + Duration::from_millis(300),
        "ended {took:?} after the removal"
    );
    assert_eq!(close_frame(&mut socket).await.0, CLOSE_CODE);
}

#[tokio::test]
async fn end_user_ends_every_stream_of_that_user_and_no_other() {
    let server = serve(None, NO_RECHECK).await;
    // Ada in two browsers, Bob in one.
    let (ada_here, ada_there, bob) = (
        server.log_in("ada").await,
        server.log_in("ada").await,
        server.log_in("bob").await,
    );
    let mut here = Events::new(server.events("/ticks", &ada_here).await);
    let mut there = server.socket("/echo", &ada_there).await.unwrap();
    let mut bobs = Events::new(server.events("/ticks", &bob).await);
    here.next().await.unwrap();
    bobs.next().await.unwrap();

    server.watch.end_user("ada");
    assert_eq!(here.final_event().await["reason"], "removed");
    assert_eq!(close_frame(&mut there).await.0, CLOSE_CODE);
    for _ in 0..3 {
        assert!(bobs.next().await.unwrap().data.starts_with("tick"));
    }
    assert_eq!(server.watch.watched(), 1, "only Bob's session is watched");
}

#[tokio::test]
async fn a_stream_the_client_left_is_forgotten_with_its_session() {
    let server = serve(None, NO_RECHECK).await;
    let cookie = server.log_in("ada").await;
    let mut events = Events::new(server.events("/ticks", &cookie).await);
    let socket = server.socket("/echo", &cookie).await.unwrap();
    events.next().await.unwrap();
    assert_eq!(server.watch.watched(), 1);
    drop((events, socket));
    // The server notices the closed connections at its next write.
    wait_until(|| server.watch.watched() == 0).await;
}

async fn wait_until(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "not within 5 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
