use require_login::require_login;

#[require_login(crate = "not a path")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
