//! The page side: the client script that turns a denial into a visit to
//! the login page, how it is served, and the page owner tag.

mod owner;
pub(crate) mod script;

pub use owner::{PageOwner, PageOwnerKey, SecretTooShort, PAGE_OWNER_META};
pub use script::{client_script, script_tag, ClientScript, CLIENT_SCRIPT_PATH, CLIENT_SCRIPT_TAG};
