use require_login::require_login;

#[require_login(login = "/login", redirect = "/login")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
