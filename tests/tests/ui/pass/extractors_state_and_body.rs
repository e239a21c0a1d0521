//! The handler keeps its own extractors (the guard is inserted before
//! them), its state, its visibility, docs and attributes, and a body whose
//! names could meet the attribute's own.
#![deny(missing_docs, unused_variables)]

use axum::extract::{Path, State};
use axum::{routing::post, Json, Router};
use require_login::require_login;

/// The app's state.
#[derive(Clone)]
pub struct App {
    greeting: &'static str,
}

/// Saves a note for the logged-in user.
#[require_login]
#[allow(clippy::unused_async)]
pub async fn save(
    State(app): State<App>,
    Path(id): Path<u32>,
    Json(note): Json<String>,
) -> String {
    // The attribute's own items are named like this; they must not clash.
    const __REQUIRE_LOGIN_LOGIN: &str = "mine";
    format!("{} {id}: {note} ({__REQUIRE_LOGIN_LOGIN})", app.greeting)
}

fn main() {
    let _: Router = Router::new()
        .route("/notes/{id}", post(save))
        .with_state(App { greeting: "saved" });
}
