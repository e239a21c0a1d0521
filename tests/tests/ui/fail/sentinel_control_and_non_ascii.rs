use require_login::require_login;

#[require_login(sentinel = "LOGIN\tREQUIRED")]
async fn control_character() -> &'static str {
    "tab"
}

#[require_login(sentinel = "CONNEXION_REQUISE_É")]
async fn non_ascii() -> &'static str {
    "non-ASCII"
}

fn main() {}
