//! A guarded Server-Sent Events response read event by event over real
//! HTTP, as an `EventSource` reads it: what the stream tests share.

use std::time::Duration;

use require_login::stream::SESSION_ENDED_EVENT;

/// An SSE response read event by event.
pub struct Events {
    response: reqwest::Response,
    buffer: String,
}

/// One event: its name (`message` when unnamed) and data.
#[derive(Debug)]
pub struct Received {
    pub name: String,
    pub data: String,
}

impl Events {
    pub fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, `None` when the stream ended; panics after 5 s.
    pub async fn next(&mut self) -> Option<Received> {
        loop {
            if let Some(at) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..at + 2).collect();
                let mut event = Received {
                    name: "message".into(),
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event: ") {
                        event.name = name.into();
                    } else if let Some(data) = line.strip_prefix("data: ") {
                        event.data.push_str(data);
                    }
                }
                return Some(event);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.response.chunk())
                .await
                .expect("an event or the end within 5 s")
                .unwrap();
            self.buffer.push_str(std::str::from_utf8(&chunk?).unwrap());
        }
    }

    /// Skips ticks to the final event, which must be followed by the end.
    pub async fn final_event(&mut self) -> serde_json::Value {
        loop {
            let event = self.next().await.expect("the final event before the end");
            if event.name == SESSION_ENDED_EVENT {
                assert!(
                    self.next().await.is_none(),
                    "the stream ends after the final event"
                );
                return serde_json::from_str(&event.data).unwrap();
            }
            assert!(event.data.starts_with("tick"), "{event:?}");
        }
    }
}
