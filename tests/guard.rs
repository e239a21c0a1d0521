use axum::{body::Body, routing::get, Router};
use http::Request;
use require_login::require_login;
use tower::ServiceExt;
use tower_sessions::{MemoryStore, SessionManagerLayer};

const MY_SENTINEL: &str = "MY_SENTINEL";

#[require_login(login = "/admin/login", sentinel = MY_SENTINEL)]
async fn admin() -> &'static str {
    "admin"
}

struct Handlers;
impl Handlers {
    #[require_login(login = "/other")]
    async fn assoc() -> &'static str {
        "assoc"
    }
}

#[tokio::test]
async fn smoke() {
    let app = Router::new()
        .route("/admin", get(admin))
        .route("/assoc", get(Handlers::assoc))
        .layer(SessionManagerLayer::new(MemoryStore::default()));
    let res = app
        .clone()
        .oneshot(Request::get("/admin?x=1").body(Body::empty()).unwrap())
        .await
        .unwrap();
    println!("{:?}", res);
    let res = app
        .clone()
        .oneshot(
            Request::get("/assoc")
                .header("sec-fetch-mode", "cors")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    println!("{:?}", res);
}
