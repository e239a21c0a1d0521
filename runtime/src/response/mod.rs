//! What a logged-out request gets: the guard's rejection, and the
//! responses it is made of, for apps that answer the same way elsewhere.

pub mod builders;
mod rejection;

pub use rejection::{ClientLibrary, GuardError, LoginRejection};
