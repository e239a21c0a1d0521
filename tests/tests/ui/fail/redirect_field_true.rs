use require_login::require_login;

#[require_login(redirect_field = true)]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
