use require_login::require_login;

#[require_login(session_key = "")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
