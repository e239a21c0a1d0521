use require_login::require_login;

#[require_login]
fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
