use require_login::require_login;

struct NotABackend;

#[require_login(axum_login = NotABackend)]
async fn dashboard() -> &'static str {
    "dashboard"
}

#[require_login(axum_login = Vec<u8>)]
async fn generic() -> &'static str {
    "generic"
}

#[require_login(axum_login = NoSuchBackend)]
async fn unknown() -> &'static str {
    "unknown"
}

fn main() {}
