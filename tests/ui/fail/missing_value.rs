use require_login::require_login;

#[require_login(login)]
async fn no_equals() -> &'static str {
    "no equals"
}

#[require_login(sentinel = , status = 401)]
async fn nothing_after_equals() -> &'static str {
    "nothing after equals"
}

fn main() {}
