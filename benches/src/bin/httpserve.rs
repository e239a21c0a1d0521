//! Serves one benchmark scenario's router over real HTTP on loopback, on one
//! thread, for `benches/http.sh` (which drives it with `wrk`):
//!
//! ```text
//! httpserve <scenario> <port>
//! ```
//!
//! It sets the scenario up as `icount` does (the same router, logged in when
//! the scenario is, its answer checked), prints the request's headers as
//! `-H` arguments for `wrk` on one line, then `listening on ...`, and serves
//! until killed. The runtime is Tokio's current-thread one: one server
//! thread, as the comparison needs.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use require_login_benches::{Bench, Scenario, PATH};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(port)) = (args.first(), args.get(1)) else {
        return usage();
    };
    let Some(scenario) = Scenario::from_name(name) else {
        eprintln!("unknown scenario {name:?}");
        return usage();
    };
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("the port must be a number, not {port:?}");
        return usage();
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let bench = Bench::new(scenario).await;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .unwrap_or_else(|error| panic!("cannot listen on {addr}: {error}"));
        // wrk sends its own Host (the loopback address); every other header
        // of the in-process request goes on the command line.
        let mut line = Vec::new();
        for (name, value) in bench.headers() {
            if name != http::header::HOST {
                let value = value.to_str().expect("the bench's headers are ASCII");
                line.push(format!("-H '{name}: {value}'"));
            }
        }
        println!("{}", line.join(" "));
        println!("listening on http://{addr}{PATH}");
        axum::serve(listener, bench.router())
            .await
            .expect("the server runs until killed");
    });
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: httpserve <scenario> <port>");
    ExitCode::from(2)
}
