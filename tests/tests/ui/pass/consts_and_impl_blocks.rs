//! Values as paths to consts (in a module and on a type), the return-to
//! link switched off, and handlers as associated functions.
use axum::{routing::get, Router};
use require_login::require_login;

mod consts {
    pub const LOGIN: &str = "/staff/login";
    pub const SENTINEL: &str = "STAFF_LOGIN_REQUIRED";
}

struct Pages;

impl Pages {
    const KEY: &'static str = "staff_id";

    #[require_login(login = consts::LOGIN, sentinel = consts::SENTINEL, session_key = Pages::KEY)]
    async fn staff() -> &'static str {
        "staff"
    }

    #[require_login(redirect_field = false)]
    async fn no_return_link() -> &'static str {
        "no return link"
    }
}

fn main() {
    let _: Router = Router::new()
        .route("/staff", get(Pages::staff))
        .route("/plain", get(Pages::no_return_link));
}
