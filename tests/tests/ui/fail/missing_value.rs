use require_login::require_login;

#[require_login(login)]
async fn no_equals() -> &'static str {
    "no equals"
}

// Parsing goes on after a missing value: every error is reported.
#[require_login(sentinel = , status = 500, redirect_field)]
async fn nothing_after_equals() -> &'static str {
    "nothing after equals"
}

fn main() {}
