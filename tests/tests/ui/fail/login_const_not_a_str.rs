use require_login::require_login;

const LOGIN: u32 = 42;

#[require_login(login = LOGIN)]
async fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
