use require_login::require_login;

const LOGIN: &str = "//evil.example";

#[require_login(login = LOGIN)]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
