use require_login::require_login;

#[require_login(passive = "yes")]
async fn badge() -> &'static str {
    "3 new"
}

fn main() {}
