//! The demo's route table, pinned: a route that becomes public, or whose
//! logged-out users would go to another login page, fails this test until
//! the table here is updated with it. (`/require-login/session`, the
//! deadlines' status endpoint, guards itself: a router cannot see into it,
//! so it is listed as public.)

#[test]
fn the_demo_routes_are_protected_as_pinned() {
    require_login::router::assert_audit_table(
        &require_login_demo::route_audit(),
        "
        METHOD  PATH                   ACCESS   BY       LOGIN         STATUS  SENTINEL
        GET     /                      public   -        -             -       -
        GET     /login                 public   -        -             -       -
        POST    /login                 public   -        -             -       -
        *       /require-login/session public   -        -             -       -
        GET     /logout                public   -        -             -       -
        POST    /logout                public   -        -             -       -
        GET     /admin/login           public   -        -             -       -
        POST    /admin/login           public   -        -             -       -
        GET     /admin/logout          public   -        -             -       -
        POST    /admin/logout          public   -        -             -       -
        GET     /require-login.js      public   -        -             -       -
        GET     /require-login-warning.js public -       -             -       -
        GET     /require-login-relogin.js public -       -             -       -
        GET     /assets/jquery.min.js  public   -        -             -       -
        GET     /assets/htmx.min.js    public   -        -             -       -
        GET     /assets/htmx-ext-sse.js public  -        -             -       -
        GET     /assets/htmx-ext-ws.js public   -        -             -       -
        GET     /dashboard             guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /api/unread            guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /fetch                 guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /xhr                   guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /jquery                guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /jquery-seed           guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /htmx                  guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /form                  guarded  handler  /login        403     LOGIN_REQUIRED
        POST    /form                  guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /draft                 guarded  handler  /login        403     LOGIN_REQUIRED
        POST    /draft                 guarded  handler  /login        403     LOGIN_REQUIRED
        POST    /draft/htmx            guarded  handler  /login        403     LOGIN_REQUIRED
        POST    /api/draft             guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /api/time              guarded  handler  /login        403     LOGIN_REQUIRED
        POST    /api/echo              guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /htmx/fragment         guarded  handler  /login        403     LOGIN_REQUIRED
        POST    /htmx/fragment         guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /in-place              guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /require-login/relogin-done guarded handler /login     403     LOGIN_REQUIRED
        GET     /live                  guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /live/htmx             guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /live/clock            guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /live/echo             guarded  handler  /login        403     LOGIN_REQUIRED
        GET     /admin                 guarded  handler  /admin/login  403     LOGIN_REQUIRED
        GET     /admin/api/stats       guarded  handler  /admin/login  403     LOGIN_REQUIRED
        ANY     *                      guarded  default  /login        403     LOGIN_REQUIRED
",
    );
}

/// The start-up checks pass: no guarded login page, no path both public and guarded.
#[test]
fn the_demo_app_builds() {
    let _app: axum::Router = require_login_demo::app(Default::default());
}
