//! App instances as separate processes sharing one Redis, and the clients
//! that talk to them over loopback HTTP: what `tests/redis.rs` and
//! `tests/soak.rs` share.
//!
//! Redis comes from `REQUIRE_LOGIN_REDIS_URL` (`.ci/run` starts one), or, for
//! a test that stops and restarts it, from `redis-server` on `PATH`. Without
//! them the tests skip, unless `REQUIRE_LOGIN_REDIS_TESTS=required` (as in
//! `.ci/run`): then they fail.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::StatusCode;
use require_login::LOGIN_REQUIRED;

/// The URL of the shared Redis, or `None` (after saying why) when the test
/// should skip; panics when the Redis tests are required.
pub fn shared_redis_url() -> Option<String> {
    match std::env::var("REQUIRE_LOGIN_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => skip_or_fail("REQUIRE_LOGIN_REDIS_URL is not set (e.g. redis://127.0.0.1:6379)"),
    }
}

fn skip_or_fail<T>(why: &str) -> Option<T> {
    match std::env::var("REQUIRE_LOGIN_REDIS_TESTS").as_deref() {
        Ok("required") => panic!("REQUIRE_LOGIN_REDIS_TESTS=required, but {why}"),
        Ok(other) if !other.is_empty() => panic!(
            "REQUIRE_LOGIN_REDIS_TESTS={other:?}: set it to `required` or leave it unset; and {why}"
        ),
        _ => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

/// A `redis-server` of the test's own, on a free loopback port, without
/// persistence: stopped and started again by the outage test.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or `None` (skipping) when `redis-server` is not installed.
    pub fn start() -> Option<Self> {
        let port = free_port();
        let mut server = RedisServer { port, child: None };
        match server.spawn() {
            Ok(()) => Some(server),
            Err(why) => skip_or_fail(&format!("cannot start redis-server: {why}")),
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) -> Result<(), String> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{e} (apt-get install redis-server)"))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.answers_ping() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "redis-server on port {} did not answer PING",
            self.port
        ))
    }

    fn answers_ping(&self) -> bool {
        use std::io::Write;
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// Stops it (its data goes with it: no persistence).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn().expect("redis-server starts again on its port");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// One app instance (`src/bin/instance.rs`), a process of its own with its
/// own HTTP server on a loopback port.
pub struct Instance {
    child: Child,
    pub base: String,
    log: Arc<Mutex<String>>,
}

impl Instance {
    /// Two instances of `exe` on the same store, as two servers behind one
    /// load balancer (see [`Instance::start`]).
    pub fn pair(exe: &str, redis_url: &str, args: &[&str]) -> (Instance, Instance) {
        (
            Instance::start(exe, redis_url, args),
            Instance::start(exe, redis_url, args),
        )
    }

    /// Starts `exe` (pass `env!("CARGO_BIN_EXE_instance")`) on `redis_url`
    /// with extra arguments, and waits until it serves.
    pub fn start(exe: &str, redis_url: &str, args: &[&str]) -> Instance {
        let mut child = Command::new(exe)
            .args(["--redis", redis_url])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {exe}: {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let Some(base) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            std::thread::sleep(Duration::from_millis(100));
            panic!(
                "instance did not start: {first:?}; its log: {}",
                log.lock().unwrap()
            );
        };
        Instance {
            base: base.to_owned(),
            child,
            log,
        }
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Its resident memory (`VmRSS`), in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a browser asks: the three kinds the guard tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A page load: `GET /page`.
    Navigation,
    /// `fetch()` (`Sec-Fetch-Mode: cors`) for JSON: `GET /api/whoami`.
    Fetch,
    /// jQuery's XMLHttpRequest (`X-Requested-With`): `GET /api/whoami`.
    Xhr,
    /// htmx (`HX-Request`): `GET /fragment`.
    Htmx,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Navigation, Kind::Fetch, Kind::Xhr, Kind::Htmx];
}

/// What came back, reduced to what decides whether it was the right kind.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub login_url: Option<String>,
    pub hx_redirect: Option<String>,
    pub body: String,
}

/// A browser with its own session cookie, talking to any instance. The
/// cookie is kept as the server last set it and sent as is, even past its
/// `Max-Age`, so that expiry is decided by the server (the store).
pub struct Browser {
    http: reqwest::Client,
    pub cookie: Option<String>,
}

impl Default for Browser {
    fn default() -> Self {
        Browser::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser { http, cookie: None }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Reply {
        let request = match &self.cookie {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        };
        let response = request.send().await.expect("the instance answers");
        for set_cookie in response.headers().get_all("set-cookie") {
            let set_cookie = set_cookie.to_str().unwrap();
            let pair = set_cookie.split(';').next().unwrap().trim().to_owned();
            let removed = set_cookie.to_ascii_lowercase().contains("max-age=0");
            self.cookie = if removed { None } else { Some(pair) };
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        Reply {
            status: response.status(),
            location: header("location"),
            login_url: header("x-login-url"),
            hx_redirect: header("hx-redirect"),
            body: response.text().await.unwrap_or_default(),
        }
    }

    /// `POST /login?user=...` on `base`.
    pub async fn log_in(&mut self, base: &str, user: &str) -> Reply {
        let request = self.http.post(format!("{base}/login?user={user}"));
        self.send(request).await
    }

    /// `POST /logout` on `base`.
    pub async fn log_out(&mut self, base: &str) -> Reply {
        let request = self.http.post(format!("{base}/logout"));
        self.send(request).await
    }

    /// A guarded request of `kind` on `base`.
    pub async fn call(&mut self, base: &str, kind: Kind) -> Reply {
        let request = match kind {
            Kind::Navigation => self
                .http
                .get(format!("{base}/page"))
                .header("accept", "text/html,application/xhtml+xml")
                .header("sec-fetch-mode", "navigate"),
            Kind::Fetch => self
                .http
                .get(format!("{base}/api/whoami"))
                .header("accept", "application/json")
                .header("sec-fetch-mode", "cors")
                .header("referer", format!("{base}/page")),
            Kind::Xhr => self
                .http
                .get(format!("{base}/api/whoami"))
                .header("accept", "application/json, text/javascript, */*; q=0.01")
                .header("x-requested-with", "XMLHttpRequest")
                .header("referer", format!("{base}/page")),
            Kind::Htmx => self
                .http
                .get(format!("{base}/fragment"))
                .header("hx-request", "true")
                .header("hx-current-url", format!("{base}/page")),
        };
        self.send(request).await
    }
}

/// How a reply is wrong for a `kind` request of a session logged in as
/// `user` (`Some`) or logged out (`None`); `None` when it is right.
pub fn wrong_answer(kind: Kind, user: Option<&str>, reply: &Reply) -> Option<String> {
    let right = match (user, kind) {
        (Some(user), Kind::Navigation) => {
            reply.status == StatusCode::OK && reply.body == format!("<p>page of {user}</p>")
        }
        (Some(user), Kind::Fetch | Kind::Xhr) => {
            reply.status == StatusCode::OK && reply.body == format!(r#"{{"user":"{user}"}}"#)
        }
        (Some(user), Kind::Htmx) => {
            reply.status == StatusCode::OK && reply.body == format!("<p>fragment of {user}</p>")
        }
        (None, Kind::Navigation) => {
            reply.status == StatusCode::SEE_OTHER
                && reply.location.as_deref() == Some("/login?next=/page")
        }
        (None, Kind::Fetch | Kind::Xhr | Kind::Htmx) => {
            reply.status == StatusCode::FORBIDDEN
                && reply.body == LOGIN_REQUIRED
                && reply.location.is_none()
                && reply.login_url.as_deref() == Some("/login?next=/page")
                && (kind != Kind::Htmx || reply.hx_redirect.as_deref() == Some("/login?next=/page"))
        }
    };
    (!right).then(|| {
        let expected = match user {
            Some(user) => format!("served as {user}"),
            None => "refused as logged out".to_owned(),
        };
        format!("{kind:?} expected {expected}, got {reply:?}")
    })
}
