//! Every argument, as literals, on one handler; the registered options are
//! read back through the route audit.
use axum::{routing::get, Router};
use require_login::{guard::LoginRoutes, require_login};

#[require_login(
    login = "admin-login",
    sentinel = "ADMIN_LOGIN_REQUIRED",
    status = 401,
    redirect_field = "return_to",
    session_key = "admin_id",
    passive = false
)]
async fn admin() -> &'static str {
    "admins only"
}

fn main() {
    let _: Router = Router::new().route("/admin", get(admin));
    // The attribute registered its login name: an empty registry misses it.
    let missing = LoginRoutes::new().check_guarded_handlers().unwrap_err();
    assert_eq!(missing.names, vec!["admin-login"]);
}
