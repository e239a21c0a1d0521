use require_login::require_login;

#[require_login(sentinel = 42)]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
