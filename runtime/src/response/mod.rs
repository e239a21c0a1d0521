//! What a logged-out request gets: the guard's rejection, and the
//! responses it is made of, for apps that answer the same way elsewhere.

mod builders;
mod rejection;

pub use builders::{
    ajax_denied, inertia_denied, internal_error, navigation_denied, HX_REDIRECT,
    X_INERTIA_LOCATION, X_LOGIN_URL,
};
pub use rejection::{ClientLibrary, GuardError, LoginRejection};
