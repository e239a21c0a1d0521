use require_login::require_login;

#[require_login(sentinel = "LOGIN REQUIRED")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
