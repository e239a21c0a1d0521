//! The page side: the client script that turns a denial into a visit to
//! the login page, how it is served, and the page owner tag.
//!
#![doc = include_str!("../../docs/client.md")]

#[cfg(test)]
mod contract;
pub(crate) mod escape;
mod owner;
mod relogin;
mod script;
mod serve;
mod warning;

pub use owner::{PageOwner, PageOwnerKey, SecretTooShort, PAGE_OWNER_META};
pub use relogin::{
    relogin_done_page, relogin_script, RELOGIN_CSRF_HEADER, RELOGIN_CSRF_META, RELOGIN_DONE_PATH,
    RELOGIN_SCRIPT_PATH, RELOGIN_SCRIPT_TAG,
};
pub use script::ClientScript;
pub use serve::{client_script, script_tag, CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG};
pub use warning::{warning_script, WARNING_SCRIPT_PATH, WARNING_SCRIPT_TAG};
