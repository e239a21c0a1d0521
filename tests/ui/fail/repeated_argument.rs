use require_login::require_login;

#[require_login(login = "/login", login = "/admin/login")]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
