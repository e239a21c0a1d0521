use require_login::require_login;

#[require_login(auth::login = "/login")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
