use require_login::require_login;

#[require_login(login = "javascript:alert(1)")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
