use require_login::require_login;

#[derive(Debug, Clone)]
struct User;

impl axum_login::AuthUser for User {
    type Id = u64;
    fn id(&self) -> u64 {
        1
    }
    fn session_auth_hash(&self) -> &[u8] {
        &[]
    }
}

#[derive(Debug, Clone)]
struct Backend;

impl axum_login::AuthnBackend for Backend {
    type User = User;
    type Credentials = ();
    type Error = std::convert::Infallible;
    async fn authenticate(&self, _: ()) -> Result<Option<User>, Self::Error> {
        Ok(None)
    }
    async fn get_user(&self, _: &u64) -> Result<Option<User>, Self::Error> {
        Ok(None)
    }
}

// With axum_login, axum-login decides: a session key would be ignored.
#[require_login(session_key = "user_id", axum_login = Backend)]
async fn both() -> &'static str {
    "both"
}

#[require_login(axum_login = Backend, session_key = "user_id")]
async fn both_other_order() -> &'static str {
    "both"
}

#[require_login(axum_login = Backend, axum_login = Backend)]
async fn twice() -> &'static str {
    "twice"
}

fn main() {}
