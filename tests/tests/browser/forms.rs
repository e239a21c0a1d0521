//! Form keeping in a real browser: what the user typed survives the login
//! round trip. The demo's `/draft` page, with sessions that end after
//! [`FORMS_IDLE`] without a request.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::harness::*;

/// What the tests type into `/draft`.
const TITLE: &str = "Shopping list";
const BODY: &str = "milk and eggs";
const PIN: &str = "4711";
const PRIVATE: &str = "keep this to myself";
const VOUCHER: &str = "SAVE10";
/// How the demo sums those values up once saved (priority high, urgent).
const SAVED: &str = "Shopping list / milk and eggs / high / urgent";

/// Opens `page` logged out, logs in as `user` and comes back to it.
async fn log_in_at(tab: &Tab, page: &str, user: &str) {
    tab.goto(page).await;
    tab.wait_for("/login", Some(page), "a guarded page, logged out")
        .await;
    tab.log_in(user).await;
    wait_at(tab, page, "logging in returns to the page").await;
}

/// Waits until the browser shows `page` (path and query).
async fn wait_at(tab: &Tab, page: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = tab.client.current_url().await.expect("current URL");
        let here = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        if here == page {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: expected to be at {page}, still at {here} after {WAIT:?}; the page says:\n{}",
            tab.page_text().await.chars().take(600).collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn element(tab: &Tab, id: &str) -> fantoccini::elements::Element {
    match tab.client.find(Locator::Id(id)).await {
        Ok(element) => element,
        Err(e) => panic!("no #{id} at {:?}: {e}", tab.location().await),
    }
}

/// Types into every field of the draft, as a user would.
async fn fill_in_the_draft(tab: &Tab) {
    for (id, text) in [
        ("title", TITLE),
        ("body", BODY),
        ("pin", PIN),
        ("private-note", PRIVATE),
        ("voucher", VOUCHER),
    ] {
        element(tab, id)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
    }
    element(tab, "priority")
        .await
        .select_by_value("high")
        .await
        .expect("choose a priority");
    tab.click("urgent").await;
    assert_eq!(
        fields(tab).await,
        json!({"title": TITLE, "body": BODY, "priority": "high", "urgent": true,
               "pin": PIN, "private": PRIVATE, "voucher": VOUCHER}),
        "the draft as typed"
    );
}

/// The draft's fields as the page has them now.
async fn fields(tab: &Tab) -> Value {
    tab.client
        .execute(
            "var f = function (id) { return document.getElementById(id); };\
             return { title: f('title').value, body: f('body').value, priority: f('priority').value,\
                      urgent: f('urgent').checked, pin: f('pin').value, private: f('private-note').value,\
                      voucher: f('voucher').value };",
            vec![],
        )
        .await
        .expect("read the draft's fields")
}

/// The draft as a fresh page has it.
fn empty_draft() -> Value {
    json!({"title": "", "body": "", "priority": "normal", "urgent": false, "pin": "", "private": "",
           "voucher": ""})
}

/// The draft's CSRF field and the page's CSRF meta tag.
async fn csrf_tokens(tab: &Tab) -> (String, String) {
    let tokens = tab
        .client
        .execute(
            "return [document.querySelector('#draft input[name=csrf_token]').value,\
                     document.querySelector('meta[name=csrf-token]').content];",
            vec![],
        )
        .await
        .expect("read the CSRF tokens");
    (
        tokens[0].as_str().expect("a field token").to_owned(),
        tokens[1].as_str().expect("a meta token").to_owned(),
    )
}

/// Everything the script keeps in this tab's sessionStorage, as one text.
async fn kept(tab: &Tab) -> String {
    let kept = tab
        .client
        .execute(
            "var out = [];\
             for (var i = 0; i < sessionStorage.length; i++) {\
               var key = sessionStorage.key(i);\
               if (key.indexOf('require-login:kept:') === 0) { out.push(key + ' ' + sessionStorage.getItem(key)); }\
             }\
             return out.join('\\n');",
            vec![],
        )
        .await
        .expect("read sessionStorage");
    kept.as_str().unwrap_or_default().to_owned()
}

/// Waits until the session has ended by itself, the page standing still.
async fn let_the_session_expire(tab: &Tab) {
    let before = tab.client.current_url().await.expect("current URL");
    tokio::time::sleep(FORMS_IDLE + Duration::from_millis(1500)).await;
    let after = tab.client.current_url().await.expect("current URL");
    assert_eq!(before, after, "an idle page stays put");
}

/// The restore notice's text, or `None` when there is none.
async fn notice(tab: &Tab) -> Option<String> {
    let notice = tab
        .client
        .find(Locator::Id("require-login-notice"))
        .await
        .ok()?;
    if !notice.is_displayed().await.unwrap_or(false) {
        return None;
    }
    Some(notice.text().await.unwrap_or_default())
}

/// What the page heard through the `require-login:restored` event.
async fn restored_event(tab: &Tab) -> String {
    element(tab, "restored")
        .await
        .text()
        .await
        .unwrap_or_default()
}

/// Types into `page`, lets the session end, saves with `button`: the login
/// page, with `next` the page. Returns the CSRF token the page had.
async fn type_then_save_after_expiry(tab: &Tab, page: &str, button: &str) -> String {
    fill_in_the_draft(tab).await;
    let (old_token, _) = csrf_tokens(tab).await;
    let_the_session_expire(tab).await;
    tab.click(button).await;
    tab.wait_for(
        "/login",
        Some(page),
        &format!("#{button} with an ended session goes to the login page"),
    )
    .await;
    old_token
}

/// Back on the draft after logging in again: every kept value is there,
/// the page was told, and the notice is shown; nothing is left kept.
async fn assert_restored(tab: &Tab, how: &str) {
    let restored = fields(tab).await;
    assert_eq!(
        restored,
        json!({"title": TITLE, "body": BODY, "priority": "high", "urgent": true,
               "pin": "", "private": "", "voucher": ""}),
        "{how}: text field, textarea, select and checkbox restored; PIN, voucher and private note not"
    );
    assert_eq!(
        restored_event(tab).await,
        "4 fields restored",
        "{how}: the page heard the require-login:restored event"
    );
    let notice = notice(tab).await;
    assert!(
        notice
            .as_deref()
            .is_some_and(|text| text.contains("has been put back")),
        "{how}: the notice is shown, but it is {notice:?}"
    );
    assert_eq!(kept(tab).await, "", "{how}: restored once, then forgotten");
}

/// Back on the draft after logging in: nothing was put back.
async fn assert_nothing_restored(tab: &Tab, how: &str) {
    // Restoring happens as the page loads; give a wrong one time to show.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fields(tab).await, empty_draft(), "{how}: nothing restored");
    assert_eq!(restored_event(tab).await, "", "{how}: no restored event");
    assert_eq!(notice(tab).await, None, "{how}: no notice");
}

async fn wait_for_text(tab: &Tab, id: &str, want: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = match tab.client.find(Locator::Id(id)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: #{id} should say {want:?}, but says {text:?} at {:?}",
            tab.location().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn restored_after_a_fetch_save() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        type_then_save_after_expiry(&tab, "/draft", "save-fetch").await;
        tab.log_in("ada").await;
        wait_at(&tab, "/draft", "logging in returns to the draft").await;
        assert_restored(&tab, "fetch()").await;
        // The restored values are the form's own: saving sends them.
        tab.click("save-fetch").await;
        tab.wait_for_result(
            &format!("fetch saved: {SAVED}"),
            "saving the restored draft",
        )
        .await;
    });
}

#[test]
fn restored_after_a_form_or_htmx_post() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        type_then_save_after_expiry(&tab, "/draft", "save-form").await;
        tab.log_in("ada").await;
        wait_at(&tab, "/draft", "logging in returns to the draft").await;
        assert_restored(&tab, "plain form POST").await;
        tab.click("save-form").await;
        wait_for_text(
            &tab,
            "saved",
            &format!("Saved: {SAVED}"),
            "the restored draft posts",
        )
        .await;

        tab.goto("/draft").await;
        wait_at(&tab, "/draft", "a fresh draft").await;
        type_then_save_after_expiry(&tab, "/draft", "save-htmx").await;
        tab.log_in("ada").await;
        wait_at(&tab, "/draft", "logging in returns to the draft").await;
        assert_restored(&tab, "htmx hx-post").await;
        tab.click("save-htmx").await;
        tab.wait_for_result(
            &format!("htmx saved: {SAVED}"),
            "the restored draft posts with htmx",
        )
        .await;
    });
}

#[test]
fn no_passwords_or_csrf_tokens_kept() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        let old_token = type_then_save_after_expiry(&tab, "/draft", "save-form").await;
        let stored = kept(&tab).await;
        assert!(
            stored.contains(TITLE),
            "the draft is kept on the login page: {stored:?}"
        );
        assert!(
            !stored.contains(PIN),
            "the PIN must never reach sessionStorage: {stored:?}"
        );
        assert!(
            !stored.contains(&old_token),
            "the CSRF token must never reach sessionStorage: {stored:?}"
        );
        tab.log_in("ada").await;
        wait_at(&tab, "/draft", "logging in returns to the draft").await;
        assert_restored(&tab, "form POST").await;
        let (field, meta) = csrf_tokens(&tab).await;
        assert_ne!(field, old_token, "the CSRF field is not the old session's");
        assert_eq!(field, meta, "the CSRF field is the new page's own token");
        tab.click("save-form").await;
        wait_for_text(
            &tab,
            "saved",
            &format!("Saved: {SAVED}"),
            "the restored form posts with the fresh token",
        )
        .await;
    });
}

#[test]
fn nothing_for_another_user() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        type_then_save_after_expiry(&tab, "/draft", "save-fetch").await;
        assert!(kept(&tab).await.contains(TITLE), "ada's draft is kept");
        tab.log_in("bob").await;
        wait_at(&tab, "/draft", "bob logs in and lands on the draft").await;
        assert_nothing_restored(&tab, "bob's page").await;
        assert_eq!(kept(&tab).await, "", "ada's draft is dropped on bob's page");
    });
}

#[test]
fn nothing_after_successful_saves() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        fill_in_the_draft(&tab).await;
        tab.click("save-fetch").await;
        tab.wait_for_result(&format!("fetch saved: {SAVED}"), "a fetch save")
            .await;
        tab.click("save-form").await;
        wait_for_text(&tab, "saved", &format!("Saved: {SAVED}"), "a form POST").await;
        assert_eq!(
            kept(&tab).await,
            "",
            "a successful POST leaves nothing kept"
        );
        // A later visit, through the login page (which would take up
        // anything left behind).
        let_the_session_expire(&tab).await;
        log_in_at(&tab, "/draft", "ada").await;
        assert_nothing_restored(&tab, "a later visit").await;
    });
}

#[test]
fn keep_off_is_never_kept() {
    forms_test(|tab| async move {
        // A form marked off, beside one that is not.
        log_in_at(&tab, "/draft", "ada").await;
        type_then_save_after_expiry(&tab, "/draft", "save-fetch").await;
        let stored = kept(&tab).await;
        assert!(stored.contains(TITLE), "the draft is kept: {stored:?}");
        assert!(
            !stored.contains(PRIVATE),
            "the form marked data-require-login-keep=\"off\" is not: {stored:?}"
        );
        assert!(
            !stored.contains(VOUCHER),
            "the field marked data-require-login-keep=\"off\" is not: {stored:?}"
        );
        tab.log_in("ada").await;
        wait_at(&tab, "/draft", "back on the draft").await;
        assert_restored(&tab, "beside a form marked off").await;

        // A whole page marked off.
        tab.goto("/draft?keep=off").await;
        wait_at(&tab, "/draft?keep=off", "the page marked off").await;
        type_then_save_after_expiry(&tab, "/draft?keep=off", "save-fetch").await;
        assert_eq!(kept(&tab).await, "", "nothing of a page marked off is kept");
        tab.log_in("ada").await;
        wait_at(&tab, "/draft?keep=off", "back on the page marked off").await;
        assert_nothing_restored(&tab, "a page marked off").await;
    });
}

#[test]
fn logout_discards_what_was_kept() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        type_then_save_after_expiry(&tab, "/draft", "save-fetch").await;
        assert!(kept(&tab).await.contains(TITLE), "the draft is kept");
        // On the login page, the user logs out instead (say, leaving a shared computer).
        tab.goto("/logout").await;
        tab.wait_for("/logout", None, "the log-out page").await;
        tab.click("logout").await;
        tab.wait_for("/login", None, "logged out").await;
        assert_eq!(kept(&tab).await, "", "logging out discards the kept draft");
        log_in_at(&tab, "/draft", "ada").await;
        assert_nothing_restored(&tab, "after logging out").await;
    });
}

// ---------------------------------------------------------------------------
// Issue 20: what is a secret, what the user changed, when a submit succeeded.

#[test]
fn password_shown_as_text_is_not_kept() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        // A "show password" toggle, before the user types the PIN.
        tab.start("document.getElementById('pin').type = 'text';")
            .await;
        type_then_save_after_expiry(&tab, "/draft", "save-fetch").await;
        let stored = kept(&tab).await;
        assert!(stored.contains(TITLE), "the draft is kept: {stored:?}");
        assert!(
            !stored.contains(PIN),
            "a PIN shown as text is still a password, never kept: {stored:?}"
        );
        tab.log_in("ada").await;
        wait_at(&tab, "/draft", "logging in returns to the draft").await;
        assert_restored(&tab, "after a shown password").await;
    });
}

#[test]
fn only_changed_fields_are_kept() {
    forms_test(|tab| async move {
        log_in_at(&tab, "/draft", "ada").await;
        // A value the server filled in, and a fieldset that the page
        // disables after the user typed into it.
        tab.start(
            "var form = document.getElementById('draft');\
             form.insertAdjacentHTML('beforeend', '<input name=\"city\" id=\"city\" value=\"Prefilled-Berlin\">\
               <fieldset id=\"locked-set\"><input name=\"locked\" id=\"locked\"></fieldset>');",
        )
        .await;
        element(&tab, "locked")
            .await
            .send_keys("Locked-typed")
            .await
            .expect("type into #locked");
        tab.start("document.getElementById('locked-set').disabled = true;")
            .await;
        type_then_save_after_expiry(&tab, "/draft", "save-fetch").await;
        let stored = kept(&tab).await;
        assert!(stored.contains(TITLE), "the draft is kept: {stored:?}");
        assert!(
            !stored.contains("Prefilled-Berlin"),
            "a prefilled value the user never touched is not kept: {stored:?}"
        );
        assert!(
            !stored.contains("Locked-typed"),
            "a field in a disabled fieldset is not kept: {stored:?}"
        );
    });
}

#[test]
fn nothing_after_a_successful_submit() {
    forms_test(|tab| async move {
        // Answered by a page without the script; from there, a link to the
        // login page for the draft, and logging in again.
        log_in_at(&tab, "/draft", "ada").await;
        fill_in_the_draft(&tab).await;
        tab.start("document.getElementById('draft').action = '/test/thanks';")
            .await;
        tab.click("save-form").await;
        wait_at(&tab, "/test/thanks", "the successful submit's answer").await;
        tab.click("relogin").await;
        wait_at(&tab, "/login?next=%2Fdraft", "the link to the login page").await;
        assert_eq!(
            kept(&tab).await,
            "",
            "a login page the submit did not redirect to drops its values"
        );
        tab.log_in("ada").await;
        wait_at(&tab, "/draft", "logging in returns to the draft").await;
        assert_nothing_restored(&tab, "after a submit answered without the script").await;

        // Answered by a redirect to a page whose URL carries next=/draft.
        fill_in_the_draft(&tab).await;
        tab.start("document.getElementById('draft').action = '/test/save-then-next';")
            .await;
        tab.click("save-form").await;
        wait_at(
            &tab,
            "/test/done?next=%2Fdraft",
            "the successful submit's answer",
        )
        .await;
        assert_eq!(
            kept(&tab).await,
            "",
            "no login page: the values are dropped"
        );
        tab.goto("/draft").await;
        wait_at(&tab, "/draft", "the draft again").await;
        assert_nothing_restored(&tab, "after a submit answered with next= in its URL").await;
    });
}
