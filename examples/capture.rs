//! Captures the real binary's screen for the README: runs `opsdeck` (the
//! demo unless arguments after `--` say otherwise) in a pseudo-terminal,
//! types the given keys, and prints the screen as text.
//!
//! ```sh
//! cargo build && cargo run --example capture -- --size 120x36 1
//! cargo run --example capture -- 2 -- --config my.toml
//! ```
//!
//! Keys are one argument each: a character, or `Enter`, `Esc`, `Tab`.
//! Each key waits `--settle` seconds (default 2) before the next.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

fn key_bytes(key: &str) -> Result<Vec<u8>> {
    Ok(match key {
        "Enter" => b"\r".to_vec(),
        "Esc" => b"\x1b".to_vec(),
        "Tab" => b"\t".to_vec(),
        k if k.chars().count() == 1 => k.as_bytes().to_vec(),
        k => bail!("unknown key {k:?}: use one character, Enter, Esc or Tab"),
    })
}

fn main() -> Result<()> {
    color_eyre::install()?;
    let mut args = std::env::args().skip(1);
    let (mut cols, mut rows, mut settle) = (120u16, 36u16, 2.0f64);
    let mut keys = Vec::new();
    let mut opsdeck_args = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size" => {
                let size = args.next().ok_or_else(|| eyre!("--size needs COLSxROWS"))?;
                let (c, r) = size
                    .split_once('x')
                    .ok_or_else(|| eyre!("--size needs COLSxROWS, got {size}"))?;
                cols = c.parse().wrap_err("--size columns")?;
                rows = r.parse().wrap_err("--size rows")?;
            }
            "--settle" => {
                settle = args
                    .next()
                    .ok_or_else(|| eyre!("--settle needs seconds"))?
                    .parse()
                    .wrap_err("--settle")?;
            }
            "--" => opsdeck_args.extend(args.by_ref()),
            k => keys.push(key_bytes(k)?),
        }
    }
    let bin = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("opsdeck"))
        .ok_or_else(|| eyre!("cannot find the target directory"))?;
    if !bin.exists() {
        bail!("{} is missing: run `cargo build` first", bin.display());
    }
    let pty = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| eyre!("openpty: {e}"))?;
    let mut cmd = CommandBuilder::new(&bin);
    cmd.args(&opsdeck_args);
    cmd.env("TERM", "xterm-256color");
    let mut child = pty
        .slave
        .spawn_command(cmd)
        .map_err(|e| eyre!("spawning {}: {e}", bin.display()))?;
    drop(pty.slave);
    let mut reader = pty
        .master
        .try_clone_reader()
        .map_err(|e| eyre!("pty reader: {e}"))?;
    let mut writer = pty
        .master
        .take_writer()
        .map_err(|e| eyre!("pty writer: {e}"))?;
    let size = |n: u16| std::num::NonZeroU16::new(n).ok_or_else(|| eyre!("zero size"));
    let parser = Arc::new(Mutex::new(vt100::Parser::new(size(rows)?, size(cols)?, 0)));
    let p = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut parser) = p.lock() {
                parser.process(&buf[..n]);
            }
        }
    });
    let pause = Duration::from_secs_f64(settle);
    std::thread::sleep(pause * 2);
    for key in keys {
        writer.write_all(&key)?;
        writer.flush()?;
        std::thread::sleep(pause);
    }
    let screen = parser
        .lock()
        .map_err(|_| eyre!("the screen parser panicked"))?
        .screen()
        .contents();
    child.kill().ok();
    child.wait().ok();
    println!("{screen}");
    Ok(())
}
