//! The fast path: Prometheus writes a matrix one way —
//! `{"status":"success","data":{"resultType":"matrix","result":[` then
//! `{"metric":{"name":"value",…},"values":[[1606813200,"1"],…]}` per
//! series, no spaces — and the samples are most of the answer. This reads
//! exactly that by hand, a series at a time, from a buffer that may end
//! anywhere (the caller refills it and calls again). Anything else — a
//! space, another field order, an escape in a string, `warnings` — is a
//! surprise: the caller reads the answer again exactly, through serde.

use super::fold::{Fold, Scratch};

/// How far a feed got.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Progress {
    /// The whole answer is read.
    Done,
    /// Not written as Prometheus writes it: read it exactly instead.
    Surprise,
    /// Everything before this many bytes is read; call again with the rest
    /// and more.
    More(usize),
}

const PREFIX: &[u8] = br#"{"status":"success","data":{"resultType":"matrix","result":["#;

/// Where the reading is between feeds.
#[derive(Debug, Default)]
pub(super) struct Fast {
    phase: Phase,
}

#[derive(Debug, Default, PartialEq, Eq)]
enum Phase {
    /// Before the envelope's opening.
    #[default]
    Start,
    /// In the list, before its first series.
    First,
    /// In the list, after a series.
    Next,
    /// After the list: only `}}` may follow.
    Tail,
}

/// Why a read stopped short.
#[derive(Debug, PartialEq, Eq)]
enum Stop {
    /// The buffer ended.
    More,
    /// Something else than Prometheus writes.
    Surprise,
}

/// A position in the buffer.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Result<u8, Stop> {
        self.b.get(self.i).copied().ok_or(Stop::More)
    }

    fn byte(&mut self) -> Result<u8, Stop> {
        let c = self.peek()?;
        self.i += 1;
        Ok(c)
    }

    /// Exactly `c` next.
    fn eat(&mut self, c: u8) -> Result<(), Stop> {
        if self.peek()? != c {
            return Err(Stop::Surprise);
        }
        self.i += 1;
        Ok(())
    }

    /// Exactly `lit` next.
    fn lit(&mut self, lit: &[u8]) -> Result<(), Stop> {
        let have = &self.b[self.i.min(self.b.len())..];
        let n = have.len().min(lit.len());
        if have[..n] != lit[..n] {
            return Err(Stop::Surprise);
        }
        if n < lit.len() {
            return Err(Stop::More);
        }
        self.i += lit.len();
        Ok(())
    }

    /// A string without escapes: its text.
    fn string(&mut self) -> Result<&'a str, Stop> {
        let (from, _) = self.skip_string()?;
        std::str::from_utf8(&self.b[from..self.i - 1]).map_err(|_| Stop::Surprise)
    }

    /// Past a string without escapes (checked to be UTF-8): where its
    /// text starts, and whether it is ASCII.
    fn skip_string(&mut self) -> Result<(usize, bool), Stop> {
        self.eat(b'"')?;
        let from = self.i;
        let mut ascii = true;
        let mut end = from;
        loop {
            match self.b.get(end) {
                None => return Err(Stop::More),
                Some(b'"') => break,
                Some(b'\\' | 0..0x20) => return Err(Stop::Surprise),
                Some(&c) => ascii &= c < 0x80,
            }
            end += 1;
        }
        if !ascii && std::str::from_utf8(&self.b[from..end]).is_err() {
            return Err(Stop::Surprise);
        }
        self.i = end + 1;
        Ok((from, ascii))
    }

    /// A sample's time: whole seconds, or with a fraction.
    fn number(&mut self) -> Result<f64, Stop> {
        let from = self.i;
        let mut whole: u64 = 0;
        let mut plain = true;
        loop {
            match self.peek()? {
                c @ b'0'..=b'9' => {
                    whole = whole.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                }
                b'.' => plain = false,
                _ => break,
            }
            self.i += 1;
        }
        let digits = self.i - from;
        if digits > 1 && self.b[from] == b'0' && self.b[from + 1] != b'.' {
            // A leading zero is not JSON.
            return Err(Stop::Surprise);
        }
        if plain && (1..=15).contains(&digits) {
            return Ok(whole as f64);
        }
        std::str::from_utf8(&self.b[from..self.i])
            .ok()
            .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()) && !n.ends_with('.'))
            .and_then(|n| n.parse::<f64>().ok())
            .ok_or(Stop::Surprise)
    }
}

/// One series into the scratch (cleared first).
fn series(c: &mut Cur<'_>, s: &mut Scratch) -> Result<(), Stop> {
    s.clear();
    c.lit(br#"{"metric":{"#)?;
    if c.peek()? == b'}' {
        c.i += 1;
    } else {
        loop {
            let name = c.string()?;
            c.eat(b':')?;
            let value = c.string()?;
            match name {
                "__name__" => {}
                "alertstate" => s.state = Some(value.to_string()),
                _ => {
                    s.spans.push((s.text.len(), name.len(), value.len()));
                    s.text.push_str(name);
                    s.text.push_str(value);
                }
            }
            match c.byte()? {
                b',' => {}
                b'}' => break,
                _ => return Err(Stop::Surprise),
            }
        }
    }
    c.lit(br#","values":["#)?;
    if c.peek()? == b']' {
        c.i += 1;
    } else {
        loop {
            c.eat(b'[')?;
            let t = c.number()?;
            c.eat(b',')?;
            c.skip_string()?;
            c.eat(b']')?;
            s.times.push(t);
            match c.byte()? {
                b',' => {}
                b']' => break,
                _ => return Err(Stop::Surprise),
            }
        }
    }
    c.eat(b'}')
}

impl Fast {
    /// Reads on from the start of `b` (what the last feed left), folding
    /// each whole series in; `eof`: nothing follows `b`.
    pub(super) fn feed(&mut self, b: &[u8], eof: bool, fold: &mut Fold) -> Progress {
        let mut c = Cur { b, i: 0 };
        loop {
            let at = c.i;
            let step = match self.phase {
                Phase::Start => c.lit(PREFIX).map(|()| self.phase = Phase::First),
                Phase::First | Phase::Next => match c.peek() {
                    Ok(b']') => {
                        c.i += 1;
                        self.phase = Phase::Tail;
                        Ok(())
                    }
                    Ok(_) => {
                        let read = if self.phase == Phase::Next {
                            c.eat(b',')
                        } else {
                            Ok(())
                        };
                        let read = read.and_then(|()| series(&mut c, &mut fold.scratch));
                        read.map(|()| {
                            fold.series();
                            self.phase = Phase::Next;
                        })
                    }
                    Err(stop) => Err(stop),
                },
                Phase::Tail => {
                    let rest = b[c.i..].trim_ascii_end();
                    return match (eof, rest == b"}}") {
                        (true, true) => Progress::Done,
                        (false, _) if b"}}".starts_with(rest) => Progress::More(c.i),
                        _ => Progress::Surprise,
                    };
                }
            };
            match step {
                Ok(()) => {}
                Err(Stop::More) if !eof => return Progress::More(at),
                Err(_) => return Progress::Surprise,
            }
        }
    }
}
