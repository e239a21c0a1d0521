use require_login::require_login;

#[require_login(login = "//evil.example/login")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
