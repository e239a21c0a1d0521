use require_login::require_login;

#[require_login(login = "login page")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
