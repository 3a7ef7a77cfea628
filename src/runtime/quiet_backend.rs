//! A terminal backend that stays silent when a frame changes nothing.
//!
//! ratatui draws by diffing the new frame against the last one, but the
//! crossterm backend still writes a style reset on every draw, and the
//! terminal hides the cursor on every draw, even when no cell changed. The
//! console redraws on its one-second clock (ages on screen move), so an idle
//! console would write a few dozen bytes every second for nothing. This
//! wrapper drops a draw with no changed cells and a cursor hide or show that
//! changes nothing: an idle screen produces no output at all.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Wraps a backend; see the module documentation.
#[derive(Debug)]
pub struct QuietBackend<B> {
    inner: B,
    /// Whether the real cursor is hidden, once known.
    cursor_hidden: Option<bool>,
}

impl<B> QuietBackend<B> {
    /// Wraps `inner`; the cursor state is unknown until first set.
    pub fn new(inner: B) -> Self {
        QuietBackend {
            inner,
            cursor_hidden: None,
        }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &B {
        &self.inner
    }

    /// Forget what is known of the screen (someone else wrote to it, e.g.
    /// while the console was suspended): the next cursor change is sent.
    pub fn forget(&mut self) {
        self.cursor_hidden = None;
    }
}

impl<B: Backend> Backend for QuietBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_hidden == Some(true) {
            return Ok(());
        }
        self.inner.hide_cursor()?;
        self.cursor_hidden = Some(true);
        Ok(())
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_hidden == Some(false) {
            return Ok(());
        }
        self.inner.show_cursor()?;
        self.cursor_hidden = Some(false);
        Ok(())
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.forget();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        if clear_type == ClearType::All {
            self.forget();
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::widgets::Paragraph;

    use super::*;

    /// Collects what the backend writes.
    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("sink").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn take(&self) -> Vec<u8> {
            std::mem::take(&mut *self.0.lock().expect("sink"))
        }
    }

    fn terminal(sink: &Sink) -> Terminal<QuietBackend<CrosstermBackend<Sink>>> {
        let backend = QuietBackend::new(CrosstermBackend::new(sink.clone()));
        Terminal::with_options(
            backend,
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 2)),
            },
        )
        .expect("terminal")
    }

    #[test]
    fn an_unchanged_frame_writes_nothing_and_a_change_writes_only_it() {
        let sink = Sink::default();
        let mut t = terminal(&sink);
        t.draw(|f| f.render_widget(Paragraph::new("ready 1s"), f.area()))
            .expect("draw");
        let first = String::from_utf8_lossy(&sink.take()).to_string();
        // Blank cells were blank before: only the text is sent.
        assert!(first.contains("ready") && first.contains("1s"), "{first:?}");
        for _ in 0..3 {
            t.draw(|f| f.render_widget(Paragraph::new("ready 1s"), f.area()))
                .expect("draw");
            assert_eq!(sink.take(), b"", "an identical frame is silent");
        }
        t.draw(|f| f.render_widget(Paragraph::new("ready 2s"), f.area()))
            .expect("draw");
        let out = String::from_utf8_lossy(&sink.take()).to_string();
        assert!(out.contains('2') && !out.contains("ready"), "{out:?}");
    }

    #[test]
    fn cursor_changes_are_sent_once_and_again_after_a_clear() {
        let sink = Sink::default();
        let mut t = terminal(&sink);
        t.hide_cursor().expect("hide");
        assert_eq!(sink.take(), b"\x1b[?25l");
        t.hide_cursor().expect("hide");
        assert_eq!(sink.take(), b"");
        t.show_cursor().expect("show");
        assert_eq!(sink.take(), b"\x1b[?25h");
        t.backend_mut().clear().expect("clear");
        sink.take();
        t.show_cursor().expect("show");
        assert_eq!(
            sink.take(),
            b"\x1b[?25h",
            "a clear forgets the cursor state"
        );
        t.backend_mut()
            .clear_region(ClearType::All)
            .expect("clear all");
        sink.take();
        t.show_cursor().expect("show");
        assert_eq!(sink.take(), b"\x1b[?25h", "so does clearing the screen");
    }
}
