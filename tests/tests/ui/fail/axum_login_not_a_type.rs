use require_login::require_login;

#[require_login(axum_login = "Backend")]
async fn quoted() -> &'static str {
    "quoted"
}

#[require_login(axum_login)]
async fn no_value() -> &'static str {
    "no value"
}

fn main() {}
