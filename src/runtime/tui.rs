//! The terminal: taking and giving it back (raw mode, alternate screen,
//! mouse capture), the panic hook that restores it, and ctrl-z.

use std::io;

use super::quiet_backend::QuietBackend;

/// The console's terminal: crossterm on stdout, silent when nothing changed.
pub(super) type ConsoleTerminal =
    ratatui::Terminal<QuietBackend<ratatui::backend::CrosstermBackend<io::Stdout>>>;

/// Stops the process with SIGTSTP at its default action; returns once it is
/// continued. The console catches SIGTSTP (to give the terminal back first),
/// so the default action is put back just for this and the catching handler
/// restored after. In an orphaned process group (no job-control shell above
/// us, e.g. `ssh -t host opsdeck`) the kernel discards SIGTSTP and this
/// returns at once: the console simply comes back.
#[cfg(unix)]
pub(super) fn stop_self() {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, raise, sigaction};
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: installs the default action, which runs no code of ours, and
    // then reinstalls exactly the action that was there before (tokio's
    // handler, as tokio installed it).
    let previous = match unsafe { sigaction(Signal::SIGTSTP, &default) } {
        Ok(previous) => previous,
        Err(e) => {
            tracing::warn!("cannot suspend: {e}");
            return;
        }
    };
    if let Err(e) = raise(Signal::SIGTSTP) {
        tracing::warn!("cannot suspend: {e}");
    }
    // SAFETY: see above; `previous` came from `sigaction` itself.
    if let Err(e) = unsafe { sigaction(Signal::SIGTSTP, &previous) } {
        tracing::warn!("cannot catch SIGTSTP again: {e}");
    }
}

/// ctrl-z, the suspend key (reserved: handled before the keymap).
#[cfg(unix)]
pub(super) fn is_suspend_key(k: &crossterm::event::KeyEvent) -> bool {
    k.code == crossterm::event::KeyCode::Char('z')
        && k.modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL)
}

/// The thread running the console while it owns the terminal. The panic
/// hook restores the terminal only for a panic on that thread: a panic in a
/// background task is caught by tokio and the console keeps running.
static CONSOLE_THREAD: std::sync::Mutex<Option<std::thread::ThreadId>> =
    std::sync::Mutex::new(None);

/// Takes the terminal for the console and returns a ratatui terminal on
/// stdout. The first call installs a panic hook that restores the terminal
/// and then runs the previous hook (color-eyre's report).
pub(super) fn enter_terminal() -> io::Result<ConsoleTerminal> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let console = CONSOLE_THREAD
                .try_lock()
                .is_ok_and(|t| *t == Some(std::thread::current().id()));
            if console {
                restore_terminal();
            }
            previous(info);
        }));
    });
    if let Ok(mut t) = CONSOLE_THREAD.lock() {
        *t = Some(std::thread::current().id());
    }
    let terminal = take_terminal().and_then(|()| {
        ratatui::Terminal::new(QuietBackend::new(ratatui::backend::CrosstermBackend::new(
            io::stdout(),
        )))
    });
    if terminal.is_err() {
        leave_terminal();
    }
    terminal
}

/// Gives the terminal back for good (the console stopped).
pub(super) fn leave_terminal() {
    restore_terminal();
    if let Ok(mut t) = CONSOLE_THREAD.lock() {
        *t = None;
    }
}

/// Raw mode, the alternate screen and mouse capture (click selects, the
/// wheel scrolls; a terminal without mouse support is no error).
pub(super) fn take_terminal() -> io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let _ = crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture);
    Ok(())
}

/// Undoes [`take_terminal`] and shows the cursor (ratatui hides it while
/// drawing). Errors are ignored: after SIGHUP the terminal may be gone, and
/// there is nothing better to do. Safe to call more than once.
pub(super) fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(
        io::stdout(),
        crossterm::event::DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}
