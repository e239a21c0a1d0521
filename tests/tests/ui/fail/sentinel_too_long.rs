use require_login::require_login;

#[require_login(sentinel = "LOGIN_REQUIRED_LOGIN_REQUIRED_LOGIN_REQUIRED_LOGIN_REQUIRED_LOGIN_REQUIRED_LOGIN_REQUIRED_LOGIN_REQUIRED_LOGIN_REQUIRED_LOGIN_REQUIRED")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
