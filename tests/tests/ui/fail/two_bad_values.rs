use require_login::require_login;

#[require_login(login = "//evil.example", sentinel = "")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
