use require_login::require_login;

struct Pages;

impl Pages {
    #[require_login]
    async fn dashboard(&self) -> &'static str {
        "dashboard"
    }
}

fn main() {}
