use require_login::require_login;

#[require_login(status = 302)]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
