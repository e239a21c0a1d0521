use require_login::require_login;

#[require_login(status = 200, colour = "blue", sentinel = "", sentinel = "X")]
fn dashboard() -> &'static str {
    "dashboard"
}

fn main() {}
