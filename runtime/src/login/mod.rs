//! The login side: marking a session logged in and out, refusing other
//! sites' login posts, and the safe way back to the page the user came from.
//!
#![doc = include_str!("../../docs/login.md")]

mod from_this_site;
mod next;
pub(crate) mod session;

pub use from_this_site::{CrossSiteRequest, FromThisSite, InvalidPublicOrigin, PublicOrigin};
pub use next::{redirect_after_login, safe_next};
pub use session::{login, login_with_key, logout, LoginSession};
