use require_login::require_login;

const SENTINEL: &str = "LOGIN\nREQUIRED";

#[require_login(sentinel = SENTINEL)]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
