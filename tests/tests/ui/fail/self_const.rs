use require_login::require_login;

struct Pages;

impl Pages {
    const SENTINEL: &'static str = "PAGES_LOGIN";

    #[require_login(sentinel = Self::SENTINEL)]
    async fn home() -> &'static str {
        "home"
    }
}

fn main() {}
