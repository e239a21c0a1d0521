//! The browser: a fresh ChromeDriver, Chromium profile and app per test,
//! one test at a time, and the `Tab` a test drives.
//!
//! Needs Debian's `chromium`, `chromium-driver` and `libjs-jquery`, and
//! `npm ci` in `examples/` (htmx). When any is missing the tests print why
//! and pass, unless `REQUIRE_LOGIN_BROWSER_TESTS=required`, when they fail.
//! `CHROMIUM` and `CHROMEDRIVER` override the binaries' paths.

use std::future::Future;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use require_login_demo::{DEBIAN_JQUERY, NPM_HTMX};
use serde_json::json;

/// Browser tests share two cores: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// How long any one expected change may take to show.
pub const WAIT: Duration = Duration::from_secs(15);
/// The idle expiry of the app in the idle-expiry tests.
pub const SHORT_IDLE: Duration = Duration::from_secs(2);
/// Long enough that no session expires by itself during a test.
pub const LONG_IDLE: Duration = Duration::from_secs(600);

pub fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from)
}

pub fn chromedriver() -> PathBuf {
    std::env::var_os("CHROMEDRIVER").map_or_else(|| "/usr/bin/chromedriver".into(), PathBuf::from)
}

/// What is missing to run the browser tests, if anything.
pub fn missing_prerequisites() -> Vec<String> {
    let mut missing = Vec::new();
    let checks: [(PathBuf, &str); 4] = [
        (
            chromium(),
            "Chromium: apt-get install chromium (or set CHROMIUM)",
        ),
        (
            chromedriver(),
            "ChromeDriver: apt-get install chromium-driver (or set CHROMEDRIVER)",
        ),
        (DEBIAN_JQUERY.into(), "jQuery: apt-get install libjs-jquery"),
        (NPM_HTMX.into(), "htmx: run `npm ci` in examples/"),
    ];
    for (path, what) in checks {
        if !path.is_file() {
            missing.push(format!("{} is missing ({what})", path.display()));
        }
    }
    missing
}

/// `true` when the test should not run; panics instead when the browser
/// tests are required.
pub fn skip() -> bool {
    let missing = missing_prerequisites();
    if missing.is_empty() {
        return false;
    }
    let why = missing.join("; ");
    match std::env::var("REQUIRE_LOGIN_BROWSER_TESTS").as_deref() {
        Ok("required") => panic!("REQUIRE_LOGIN_BROWSER_TESTS=required, but {why}"),
        // A value such as `1` or `true` meant to require them too: say so
        // rather than skip silently.
        Ok(other) if !other.is_empty() => panic!(
            "REQUIRE_LOGIN_BROWSER_TESTS={other:?}: set it to `required` (fail when \
             something is missing) or leave it unset (skip); and {why}"
        ),
        _ => {}
    }
    // Straight to the process's stderr, past the test harness's capture; once.
    static TOLD: std::sync::Once = std::sync::Once::new();
    TOLD.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "browser tests skipped: {why} (set REQUIRE_LOGIN_BROWSER_TESTS=required to fail instead)"
        );
    });
    true
}

/// Runs `scenario` against the app `app` builds (once this test's turn has
/// come), served on `127.0.0.1:0`, in a fresh browser, and always shuts the
/// browser down.
pub fn run_in_browser<A, F, Fut>(app: A, scenario: F)
where
    A: FnOnce() -> axum::Router,
    F: FnOnce(Tab) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    if skip() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let base = serve(app()).await;
        let mut driver = Driver::start();
        let client = driver.connect().await;
        let tab = Tab {
            client: client.clone(),
            base,
        };
        let outcome = tokio::spawn(scenario(tab)).await;
        let _ = client.close().await;
        driver.stop();
        if let Err(error) = outcome {
            std::panic::resume_unwind(error.into_panic());
        }
    });
}

/// Serves `app` on `127.0.0.1:0`; its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the app");
    let addr = listener.local_addr().expect("the app's address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve the app");
    });
    format!("http://{addr}")
}

/// A ChromeDriver process (in its own process group, with the Chromium it
/// starts) and the profile directory it uses.
pub struct Driver {
    child: Option<Child>,
    port: u16,
    profile: PathBuf,
}

impl Driver {
    pub fn start() -> Driver {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let profile = std::env::temp_dir().join(format!(
            "require-login-browser-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("create the Chromium profile directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                profile.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child: Some(child),
            port,
            profile,
        };
        let deadline = Instant::now() + WAIT;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    pub async fn connect(&self) -> Client {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
            "--window-size=1024,768",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!(
            "--user-data-dir={}",
            self.profile.join("chromium").display()
        )])
        .collect::<Vec<_>>();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": args,
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| {
                let log = std::fs::read_to_string(self.profile.join("chromedriver.log"))
                    .unwrap_or_default();
                let tail: String = log.lines().rev().take(30).collect::<Vec<_>>().join("\n");
                panic!("could not start a Chromium session through chromedriver: {e}\nlog (last lines first):\n{tail}")
            })
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // The whole process group: chromedriver and any Chromium left behind.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
        remove_dir_all_retrying(&self.profile);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn remove_dir_all_retrying(dir: &Path) {
    for _ in 0..10 {
        if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Where the browser is: a path, and the `next` query value, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub next: Option<String>,
}

/// The browser, seen from the demo's point of view.
pub struct Tab {
    pub client: Client,
    pub base: String,
}

impl Tab {
    /// The same app under the host name `localhost`: another origin and
    /// another site than the page's `127.0.0.1`, on the same server.
    pub fn other_site(&self, path: &str) -> String {
        format!("{}{path}", self.base.replace("127.0.0.1", "localhost"))
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("could not open {path}: {e}"));
    }

    /// Starts `script` in the page, without waiting for what it does.
    pub async fn start(&self, script: &str) {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("could not start {script:?} in the page: {e}"));
    }

    /// Starts `promise` (a JavaScript expression) in the page and records
    /// what it resolves to in `sessionStorage`, which outlives a navigation
    /// to another page of the site; read it with [`Tab::recorded`].
    pub async fn start_recording(&self, promise: &str) {
        self.start(&format!(
            "({promise}).then(function (v) {{ sessionStorage.setItem('recorded', String(v)); }},\
               function (e) {{ sessionStorage.setItem('recorded', 'error: ' + e); }});"
        ))
        .await;
    }

    /// What [`Tab::start_recording`] recorded, on whichever page of the site
    /// the browser is now.
    pub async fn recorded(&self) -> serde_json::Value {
        self.client
            .execute("return sessionStorage.getItem('recorded');", vec![])
            .await
            .expect("read sessionStorage")
    }

    /// Opens a public page and waits until it is there.
    pub async fn open(&self, path: &str) {
        self.goto(path).await;
        self.wait_for(path, None, "opening a public page").await;
    }

    pub async fn location(&self) -> Location {
        let url = self.client.current_url().await.expect("current URL");
        let next = url
            .query_pairs()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned());
        Location {
            path: url.path().to_owned(),
            next,
        }
    }

    pub async fn page_text(&self) -> String {
        match self
            .client
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
        {
            Ok(serde_json::Value::String(text)) => text,
            Ok(other) => other.to_string(),
            Err(e) => format!("(could not read the page: {e})"),
        }
    }

    /// Waits until the browser is at `path` with `next` (`None`: no `next`).
    pub async fn wait_for(&self, path: &str, next: Option<&str>, what: &str) {
        let want = Location {
            path: path.to_owned(),
            next: next.map(str::to_owned),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let here = self.location().await;
            if here == want {
                return;
            }
            if Instant::now() > deadline {
                let text = self.page_text().await;
                panic!(
                    "{what}: expected to be at {want:?}, still at {here:?} after {WAIT:?}; the page says:\n{}",
                    text.chars().take(600).collect::<String>()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to `within` until the browser is at `path`, whatever the
    /// query (a login URL with a reason, say).
    pub async fn wait_for_path(&self, path: &str, within: Duration, what: &str) {
        let deadline = Instant::now() + within;
        loop {
            let here = self.location().await;
            if here.path == path {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: expected to be at {path}, still at {here:?} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Marks the page, so that [`Tab::assert_not_reloaded`] can tell it
    /// from a new load of the same URL.
    pub async fn mark_page(&self) {
        self.start("window.stillHere = true;").await;
    }

    /// The page [`Tab::mark_page`] marked is still the one shown.
    pub async fn assert_not_reloaded(&self, what: &str) {
        let same = self
            .client
            .execute("return window.stillHere === true;", vec![])
            .await
            .expect("read the page");
        assert_eq!(
            same,
            serde_json::json!(true),
            "{what}: the page was reloaded"
        );
    }

    /// Clicks `#id`, once the page has it (a page still loading on a busy
    /// machine may not, the moment `goto` returns).
    pub async fn click(&self, id: &str) {
        let deadline = Instant::now() + WAIT;
        let element = loop {
            match self.client.find(Locator::Id(id)).await {
                Ok(element) => break element,
                Err(e) if Instant::now() >= deadline => {
                    panic!(
                        "no #{id} on {:?}: {e}; the page says:\n{}",
                        self.location().await,
                        self.page_text().await
                    )
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("could not click #{id}: {e}"));
    }

    /// Fills in and submits the demo's login form the browser is on.
    pub async fn log_in(&self, user: &str) {
        self.log_in_with(user, require_login_demo::DEMO_PASSWORD)
            .await;
    }

    /// Fills in and submits the login form the browser is on
    /// (`#username`, `#password`, `#login`).
    pub async fn log_in_with(&self, user: &str, password: &str) {
        let name = match self.client.find(Locator::Id("username")).await {
            Ok(name) => name,
            Err(e) => panic!("no login form at {:?}: {e}", self.location().await),
        };
        name.clear().await.expect("clear the user name");
        name.send_keys(user).await.expect("type the user name");
        let field = self
            .client
            .find(Locator::Id("password"))
            .await
            .expect("a password field");
        field.send_keys(password).await.expect("type the password");
        self.click("login").await;
    }

    pub async fn result(&self) -> String {
        match self.client.find(Locator::Id("result")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits until `#result` contains `needle`: the AJAX call worked and the
    /// page updated itself.
    pub async fn wait_for_result(&self, needle: &str, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.result().await;
            if text.contains(needle) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "{what}: #result should contain {needle:?}, but says {text:?} at {:?}",
                    self.location().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Logs out in a second window (the session ends on the server), then
    /// comes back to this window, which still shows its page.
    pub async fn log_out_elsewhere(&self, logout_page: &str, then_at: &str) {
        let here = self.client.window().await.expect("this window");
        let other = self.client.new_window(true).await.expect("a second window");
        self.client
            .switch_to_window(other.handle)
            .await
            .expect("switch to the second window");
        self.goto(logout_page).await;
        self.click("logout").await;
        self.wait_for(then_at, None, "logging out in the second window")
            .await;
        self.client
            .close_window()
            .await
            .expect("close the second window");
        self.client
            .switch_to_window(here)
            .await
            .expect("back to the first window");
    }
}

/// Runs `body` (a function body taking `arguments[0..]`, then `done`) in the
/// page with WebDriver's async script, and returns what it passes to `done`.
/// Only for calls that leave the browser where it is: a navigation can lose
/// the result (see [`Tab::start_recording`]).
pub async fn run_in_page(tab: &Tab, body: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
    let script = format!("var done = arguments[arguments.length - 1];\n{body}");
    tab.client
        .execute_async(&script, args)
        .await
        .unwrap_or_else(|e| panic!("the in-page script failed: {e}"))
}

/// Where `npm ci` in `examples/` puts axe-core (pinned in `examples/package.json`).
fn npm_axe() -> std::path::PathBuf {
    std::path::Path::new(require_login_demo::NPM_HTMX)
        .ancestors()
        .nth(3)
        .expect("node_modules")
        .join("axe-core/axe.min.js")
}

/// What axe-core finds to fix in `context` (a JavaScript expression: an
/// element, or `document`), as `id: help` lines.
pub async fn axe_violations(tab: &Tab, context: &str) -> serde_json::Value {
    let axe = std::fs::read_to_string(npm_axe())
        .unwrap_or_else(|e| panic!("axe-core (npm ci in examples/): {e}"));
    tab.client
        .execute(&axe, vec![])
        .await
        .expect("load axe-core");
    run_in_page(
        tab,
        &format!(
            "axe.run({context})\
               .then(function (r) {{ done(r.violations.map(function (v) {{ return v.id + ': ' + v.help; }})); }},\
                     function (e) {{ done(['error: ' + e]); }});"
        ),
        vec![],
    )
    .await
}
