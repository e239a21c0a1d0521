use require_login::require_login;

#[require_login(sentinel = "")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
