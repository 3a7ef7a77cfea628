//! The signals the console answers.

use std::io;

/// What a signal asks of the console.
pub(super) enum Received {
    /// End it (the signal's name, for the log).
    Quit(&'static str),
    /// Suspend it, as ctrl-z does.
    Suspend,
}

/// SIGTERM, SIGHUP and SIGINT end the console the way quitting does: the
/// event loop returns, the terminal is restored and opsdeck exits 0 — a
/// requested shutdown, not a failure. (ctrl-c typed in the console is a key
/// press, not SIGINT: the terminal is in raw mode. SIGINT comes from
/// `kill -INT` or a supervisor.) SIGTSTP (`kill -TSTP`; ctrl-z typed in the
/// console is a key) suspends it the way ctrl-z does, terminal restored
/// first (see [`Runtime::suspend`]).
pub(super) struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    tstp: tokio::signal::unix::Signal,
}

impl Signals {
    pub(super) fn new() -> io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
                int: signal(SignalKind::interrupt())?,
                tstp: signal(SignalKind::from_raw(nix::libc::SIGTSTP))?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Waits for one of the signals.
    pub(super) async fn recv(&mut self) -> Received {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => Received::Quit("SIGTERM"),
            _ = self.hup.recv() => Received::Quit("SIGHUP"),
            _ = self.int.recv() => Received::Quit("SIGINT"),
            _ = self.tstp.recv() => Received::Suspend,
        }
        #[cfg(not(unix))]
        std::future::pending::<Received>().await
    }
}
