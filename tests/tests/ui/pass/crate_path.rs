//! `crate = "..."`: the attribute used through a re-export, as a framework
//! built on require-login would offer it.
mod framework {
    pub use ::require_login as guard;
}

use axum::{routing::get, Router};
use framework::guard::require_login;

#[require_login(crate = "framework::guard", login = "/sign-in")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {
    let _: Router = Router::new().route("/dashboard", get(dashboard));
}
