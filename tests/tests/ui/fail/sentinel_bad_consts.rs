use require_login::require_login;

mod consts {
    pub const EMPTY: &str = "";
    pub const TOO_LONG: &str = "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    pub const WITH_SPACE: &str = "LOGIN REQUIRED";
}

#[require_login(sentinel = consts::EMPTY)]
async fn empty() -> &'static str {
    "empty"
}

#[require_login(sentinel = consts::TOO_LONG)]
async fn too_long() -> &'static str {
    "too long"
}

#[require_login(sentinel = consts::WITH_SPACE)]
async fn with_space() -> &'static str {
    "with space"
}

fn main() {}
