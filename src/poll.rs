//! Background polling: one tokio task per source that fetches at once, then
//! every interval, and whenever asked. Requests made while a fetch runs
//! coalesce into one more fetch; a slow source delays only itself. Results go
//! to a sink callback — pollers know nothing about the UI.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// A running poller; dropping it stops the task.
pub struct Poller {
    /// The source's name.
    pub name: String,
    refresh: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Poller {
    /// Spawns the task on the current runtime. Before each fetch `started`
    /// is sent (for a "fetching" marker); then the fetch's result.
    pub fn spawn<T, F, Fut, S>(name: &str, every: Duration, started: T, fetch: F, sink: S) -> Poller
    where
        T: Clone + Send + 'static,
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = T> + Send,
        S: Fn(T) + Send + Sync + 'static,
    {
        let refresh = Arc::new(Notify::new());
        let wake = refresh.clone();
        let task = tokio::spawn(async move {
            loop {
                let begun = tokio::time::Instant::now();
                sink(started.clone());
                sink(fetch().await);
                tokio::select! {
                    () = tokio::time::sleep_until(begun + every) => {}
                    () = wake.notified() => {}
                }
            }
        });
        Poller {
            name: name.to_string(),
            refresh,
            task,
        }
    }

    /// Asks for a fetch now; coalesces with other requests.
    pub fn refresh(&self) {
        self.refresh.notify_one();
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.task.abort();
    }
}
