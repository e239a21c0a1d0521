use require_login::require_login;

// Not a function: one error, and the item is still emitted as written, so
// its uses below raise nothing more (editors keep working with it).
#[require_login]
struct Dashboard {
    title: &'static str,
}

fn main() {
    let dashboard = Dashboard { title: "dashboard" };
    println!("{}", dashboard.title);
}
