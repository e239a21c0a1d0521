//! What every browser test stands on: the browser and its tab
//! (`driver.rs`), and the app it is pointed at (`app.rs`).

mod app;
mod driver;

pub(crate) use app::*;
pub(crate) use driver::*;
