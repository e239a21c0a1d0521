use require_login::require_login;

#[require_login(login = "/login", login = "/admin/login")]
async fn dashboard() -> &'static str {
    "dashboard"
}

// Repeated even though the first value was refused: both are reported.
#[require_login(status = 500, status = 403)]
async fn admin() -> &'static str {
    "admin"
}

fn main() {}
