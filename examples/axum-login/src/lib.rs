//! An axum-login 0.18 app guarded by require-login.
//!
//! Everything axum-login is left as an axum-login app has it: the
//! [`Users`] backend (an in-memory user table), the login form calling
//! `AuthSession::authenticate` and `AuthSession::login`, the logout calling
//! `AuthSession::logout`, and axum-login's `AuthManagerLayer` over
//! tower-sessions 0.14. Only the guard is require-login's:
//! `#[require_login(axum_login = Users)]` instead of
//! `.route_layer(login_required!(Users, login_url = "/login"))`, so a
//! `fetch()` whose session has ended gets the sentinel (which the client
//! script turns into a visit to the login page) instead of a redirect it
//! would follow silently.
//!
//! | path | what |
//! |---|---|
//! | `/` | goes to the dashboard |
//! | `/login` | the login form; goes back to `?next=` |
//! | `POST /logout` | logs out |
//! | `/dashboard` | guarded page with a `fetch()` button and the client script |
//! | `/api/time` | the guarded endpoint the button calls |
//! | `/require-login.js` | the client script |

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use axum_login::{AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend, UserId};
// require-login's own HTML escaper, so the workspace has one. It is not
// public API (`__private`): an app's template engine escapes for it.
use require_login::__private::escape_html;
use require_login::{
    client_script,
    login::{redirect_after_login, safe_next, FromThisSite},
    require_login, CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG,
};
use serde::Deserialize;
use serde_json::json;
use tower_sessions_014::{cookie::time, Expiry, MemoryStore, SessionManagerLayer};

/// The accounts the example starts with: (user name, password).
///
/// ```
/// assert_eq!(require_login_axum_login_example::ACCOUNTS[0], ("ada", "lovelace"));
/// ```
pub const ACCOUNTS: [(&str, &str); 2] = [("ada", "lovelace"), ("grace", "hopper")];

/// A user of the table.
#[derive(Debug, Clone)]
pub struct User {
    id: u64,
    /// The user name.
    pub name: String,
    password_hash: Vec<u8>,
}

impl AuthUser for User {
    type Id = u64;

    fn id(&self) -> u64 {
        self.id
    }

    /// The password's hash: when the password changes, axum-login ends the
    /// user's other sessions (and the guard with it).
    fn session_auth_hash(&self) -> &[u8] {
        &self.password_hash
    }
}

/// The axum-login backend: an in-memory user table.
///
/// The password "hash" is a keyed SipHash with a key made at start-up, so
/// that neither the table nor the session store holds a password and the
/// example needs no cryptography crate. A real app stores a password hash
/// (argon2, e.g. with the `password-auth` crate, as axum-login's own
/// examples do) and compares it with that crate.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum_login::AuthnBackend;
/// use require_login_axum_login_example::{Credentials, Users, ACCOUNTS};
///
/// let users = Users::new(&ACCOUNTS);
/// let creds = |password: &str| Credentials { username: "ada".into(), password: password.into() };
/// assert!(users.authenticate(creds("lovelace")).await.unwrap().is_some());
/// assert!(users.authenticate(creds("babbage")).await.unwrap().is_none());
/// assert!(users.set_password("ada", "babbage"));
/// assert!(users.authenticate(creds("babbage")).await.unwrap().is_some());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Users {
    by_name: Arc<RwLock<HashMap<String, User>>>,
    key: RandomState,
}

/// What the login form sends.
#[derive(Debug, Clone, Deserialize)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl Users {
    /// A table with these (user name, password) accounts.
    ///
    /// ```
    /// let users = require_login_axum_login_example::Users::new(&[("ada", "lovelace")]);
    /// # let _ = users;
    /// ```
    pub fn new(accounts: &[(&str, &str)]) -> Users {
        let users = Users {
            by_name: Arc::default(),
            key: RandomState::new(),
        };
        for (name, password) in accounts {
            users.add(name, password);
        }
        users
    }

    fn hash(&self, password: &str) -> Vec<u8> {
        self.key.hash_one(password).to_le_bytes().to_vec()
    }

    fn add(&self, name: &str, password: &str) {
        let mut table = self.by_name.write().unwrap_or_else(|e| e.into_inner());
        let id = table.len() as u64 + 1;
        let user = User {
            id,
            name: name.to_owned(),
            password_hash: self.hash(password),
        };
        table.insert(name.to_owned(), user);
    }

    /// Changes a user's password; `false` when there is no such user.
    /// The user's sessions end: their auth hash no longer matches.
    ///
    /// ```
    /// let users = require_login_axum_login_example::Users::new(&[("ada", "lovelace")]);
    /// assert!(users.set_password("ada", "babbage"));
    /// assert!(!users.set_password("nobody", "x"));
    /// ```
    pub fn set_password(&self, name: &str, password: &str) -> bool {
        let hash = self.hash(password);
        let mut table = self.by_name.write().unwrap_or_else(|e| e.into_inner());
        match table.get_mut(name) {
            Some(user) => {
                user.password_hash = hash;
                true
            }
            None => false,
        }
    }
}

impl AuthnBackend for Users {
    type User = User;
    type Credentials = Credentials;
    type Error = std::convert::Infallible;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, Self::Error> {
        let hash = self.hash(&creds.password);
        let table = self.by_name.read().unwrap_or_else(|e| e.into_inner());
        Ok(table
            .get(&creds.username)
            .filter(|user| user.password_hash == hash)
            .cloned())
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, Self::Error> {
        let table = self.by_name.read().unwrap_or_else(|e| e.into_inner());
        Ok(table.values().find(|user| user.id == *id).cloned())
    }
}

/// How the app is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// A session ends after this long without a request.
    pub idle: Duration,
    /// The user table.
    pub users: Users,
}

impl Default for Config {
    /// 30 s idle, the [`ACCOUNTS`].
    fn default() -> Self {
        Config {
            idle: Duration::from_secs(30),
            users: Users::new(&ACCOUNTS),
        }
    }
}

/// The whole app.
///
/// ```
/// let app: axum::Router = require_login_axum_login_example::app(Default::default());
/// ```
pub fn app(config: Config) -> Router {
    let idle = time::Duration::try_from(config.idle).unwrap_or(time::Duration::seconds(30));
    let sessions = SessionManagerLayer::new(MemoryStore::default())
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(idle))
        // Every request counts as activity, not only the ones that change the session.
        .with_always_save(true);
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/login", get(login_page).post(log_in))
        .route("/logout", post(log_out))
        .route("/dashboard", get(dashboard))
        .route("/api/time", get(api_time))
        .route(CLIENT_SCRIPT_PATH, get(client_script))
        .route("/style.css", get(style))
        .with_state(config.idle)
        .layer(AuthManagerLayerBuilder::new(config.users, sessions).build())
}

/// The guarded page. `axum_login = Users`: logged in means axum-login's
/// `AuthSession<Users>` has a user, which the handler can read as usual.
#[require_login(axum_login = Users)]
async fn dashboard(auth: AuthSession<Users>, State(idle): State<Duration>) -> Html<String> {
    let name = auth.user.map(|user| user.name).unwrap_or_default();
    // The user's value last, so nothing in it is taken for a placeholder.
    Html(
        include_str!("../pages/dashboard.html")
            .replace("{client_script_tag}", CLIENT_SCRIPT_TAG)
            .replace("{idle}", &idle.as_secs().to_string())
            .replace("{name}", &escape_html(&name)),
    )
}

/// The endpoint the dashboard's `fetch()` calls, guarded the same way.
#[require_login(axum_login = Users)]
async fn api_time(auth: AuthSession<Users>) -> Json<serde_json::Value> {
    let unix_time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let user = auth.user.map(|user| user.name);
    Json(json!({ "user": user, "unix_time": unix_time }))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// The login form: the backend's credentials, and where to go after.
#[derive(Deserialize)]
struct LoginForm {
    #[serde(flatten)]
    credentials: Credentials,
    next: Option<String>,
}

fn login_form(next: Option<&str>, error: Option<&str>) -> Html<String> {
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", escape_html(e)))
        .unwrap_or_default();
    // The visitor's value last, as on the dashboard.
    Html(
        include_str!("../pages/login.html")
            .replace("{error}", &error)
            .replace(
                "{next}",
                &escape_html(next.and_then(safe_next).unwrap_or("")),
            ),
    )
}

async fn login_page(Query(query): Query<NextQuery>) -> Html<String> {
    login_form(query.next.as_deref(), None)
}

/// axum-login's login, as an axum-login app writes it; `FromThisSite`
/// first, so another site's form cannot log a visitor in (login CSRF).
async fn log_in(
    _: FromThisSite,
    mut auth: AuthSession<Users>,
    Form(form): Form<LoginForm>,
) -> Response {
    let user = match auth.authenticate(form.credentials).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            let page = login_form(form.next.as_deref(), Some("Wrong user name or password."));
            return (StatusCode::UNAUTHORIZED, page).into_response();
        }
        Err(error) => {
            tracing::error!(%error, "example: could not authenticate");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Err(error) = auth.login(&user).await {
        tracing::error!(%error, "example: could not log in");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    redirect_after_login(form.next.as_deref(), "/dashboard").into_response()
}

async fn log_out(mut auth: AuthSession<Users>) -> Response {
    match auth.logout().await {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(error) => {
            tracing::error!(%error, "example: could not log out");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/style.css"),
    )
}
