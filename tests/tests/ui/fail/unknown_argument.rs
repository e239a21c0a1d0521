use require_login::require_login;

#[require_login(login = "/login", redirect = "/login")]
async fn dashboard() -> &'static str {
    "dashboard"
}

// A bare unknown name is an unknown argument too, not a missing value.
#[require_login(admin)]
async fn admin() -> &'static str {
    "admin"
}

fn main() {}
