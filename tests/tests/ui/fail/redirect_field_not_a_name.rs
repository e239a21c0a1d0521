use require_login::require_login;

#[require_login(redirect_field = "return to")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
