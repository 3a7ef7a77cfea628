//! Themes: a style for every role on screen, loaded from TOML files.
//!
//! The built-in themes live in `assets/themes/*.toml` and are embedded in the
//! binary. A theme file looks like
//!
//! ```toml
//! name = "mine"
//! [styles]
//! muted = { fg = "gray" }
//! critical = { fg = "#ff5f5f", modifiers = ["bold"] }
//! selected = { modifiers = ["reversed"] }
//! header = { fg = "black", bg = "42" }
//! ```
//!
//! Role keys are the snake_case names of the [`Role`] variants. Colours are
//! ANSI names (`black`, `red`, …, `dark_gray`, `light_red`, …, `white`,
//! `reset`), `#rrggbb`, or a 256-colour index; modifiers are `bold`, `dim`,
//! `italic`, `underlined` and `reversed`. Roles a file leaves out get the
//! dark theme's style; an unknown role, key, colour or modifier is an error.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use ratatui::style::{Color, Modifier, Style};

use crate::alerts::model::Severity;

mod error;

pub use error::{ColorError, StyleError, ThemeError};

/// Declares [`Role`] together with its list and its names in theme files, so
/// the three cannot drift apart.
macro_rules! roles {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// What a piece of the screen is, for styling.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Role {
            $($(#[$doc])* $variant,)*
        }

        impl Role {
            /// Every role, in declaration order.
            pub const ALL: &'static [Role] = &[$(Role::$variant,)*];

            /// The role's key in theme files (`border_focus`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Role::$variant => $name,)*
                }
            }
        }
    };
}

roles! {
    /// Ordinary text.
    Text => "text",
    /// Secondary text (hints, ages).
    Muted => "muted",
    /// Tertiary text (disabled, done).
    Dim => "dim",
    /// Titles and headings.
    Title => "title",
    /// Highlights (section names, keys in help).
    Accent => "accent",
    /// Unfocused borders.
    Border => "border",
    /// The focused pane's border.
    BorderFocus => "border_focus",
    /// The selected row.
    Selected => "selected",
    /// The app name in the header.
    Header => "header",
    /// The active view tab.
    TabActive => "tab_active",
    /// Inactive view tabs.
    Tab => "tab",
    /// The DEMO badge.
    BadgeDemo => "badge_demo",
    /// The READ-ONLY badge.
    BadgeReadOnly => "badge_read_only",
    /// The context badge.
    BadgeContext => "badge_context",
    /// Severity critical.
    Critical => "critical",
    /// Severity error.
    Error => "error",
    /// Severity warning.
    Warning => "warning",
    /// Severity info.
    Info => "info",
    /// No severity.
    NoSeverity => "no_severity",
    /// Firing alerts.
    Firing => "firing",
    /// Pending alerts.
    Pending => "pending",
    /// Silenced or inhibited alerts.
    Silenced => "silenced",
    /// Good news (✓, synced, exit 0).
    Ok => "ok",
    /// Bad news (✗, errors).
    Bad => "bad",
    /// Attention (out of sync, running).
    Attention => "attention",
    /// Added diff lines.
    DiffAdd => "diff_add",
    /// Removed diff lines.
    DiffDel => "diff_del",
    /// Diff hunk headers.
    DiffHunk => "diff_hunk",
    /// Key names in help and dialogs.
    Key => "key",
    /// Filled part of progress bars.
    Progress => "progress",
    /// Emphasised text with no colour meaning (names, titles of items,
    /// questions).
    Emphasis => "emphasis",
    /// Field labels (the keys of the detail pane, form labels).
    Label => "label",
    /// The filter bar's `/`.
    Prompt => "prompt",
    /// Table column headings.
    TableHeader => "table_header",
    /// The selected row of a list that does not have focus.
    SelectedUnfocused => "selected_unfocused",
    /// The note next to the DEMO badge.
    DemoNote => "demo_note",
    /// Silences: the silences list's border, "silenced by" labels.
    SilenceAccent => "silence_accent",
    /// Bad news that must be read (status-line errors, a refused form,
    /// open blockers).
    Urgent => "urgent",
    /// Images whose running version is not the pinned one.
    OutOfSync => "out_of_sync",
    /// A command's standard error.
    Stderr => "stderr",
    /// The `y` of a y/N question.
    Yes => "yes",
    /// The `N` of a y/N question.
    No => "no",
    /// Diff file headers (`---`, `+++`).
    DiffFile => "diff_file",
    /// Borders of panes and overlays without a focus state (release,
    /// deploy, detail, help).
    Panel => "panel",
}

/// How many roles there are.
const ROLES: usize = Role::ALL.len();

/// The built-in theme files, by name.
const BUILTIN_FILES: &[(&str, &str)] = &[
    ("dark", include_str!("../../assets/themes/dark.toml")),
    ("light", include_str!("../../assets/themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../assets/themes/high-contrast.toml"),
    ),
    ("prod", include_str!("../../assets/themes/prod.toml")),
];

/// The dark theme, parsed once: the default and every theme's fallback.
static DARK: LazyLock<Theme> = LazyLock::new(|| {
    let text = BUILTIN_FILES.first().map_or("", |(_, text)| text);
    // The embedded file is tested to parse; a blank theme is the last resort.
    parse_layer(text, &builtin_origin("dark"), None).map_or_else(
        |_| Theme {
            name: "dark".into(),
            styles: Arc::new([Style::new(); ROLES]),
        },
        |(theme, _)| theme,
    )
});

/// A theme: a style per role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Its name.
    pub name: String,
    /// The style of each role, indexed by the role's declaration order
    /// (shared: themes are cloned into every state and message).
    styles: Arc<[Style; ROLES]>,
}

impl Default for Theme {
    fn default() -> Self {
        DARK.clone()
    }
}

impl Theme {
    /// The names of the built-in themes.
    pub const BUILTIN: &'static [&'static str] = &["dark", "light", "high-contrast", "prod"];

    /// The style of a role.
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(role as usize).copied().unwrap_or_default()
    }

    /// The style of a severity.
    pub fn severity(&self, s: Severity) -> Style {
        self.style(match s {
            Severity::Critical => Role::Critical,
            Severity::Error => Role::Error,
            Severity::Warning => Role::Warning,
            Severity::Info => Role::Info,
            Severity::None => Role::NoSeverity,
        })
    }

    /// A built-in theme by name (one of [`Theme::BUILTIN`]).
    pub fn builtin(name: &str) -> Option<Theme> {
        if name == "dark" {
            return Some(DARK.clone());
        }
        let (_, text) = BUILTIN_FILES.iter().find(|(n, _)| *n == name)?;
        Theme::parse(text, &builtin_origin(name)).ok()
    }

    /// Parses a theme file; `origin` (a path, usually) names it in errors
    /// and gives the theme its name when the file has no `name`. Roles the
    /// file leaves out get the dark theme's style.
    pub fn parse(text: &str, origin: &str) -> Result<Theme, ThemeError> {
        parse_layer(text, origin, Some(&DARK)).map(|(theme, _)| theme)
    }

    /// A built-in name, or a path to a theme file.
    pub fn load(spec: &str) -> Result<Theme, ThemeError> {
        if let Some(theme) = Theme::builtin(spec) {
            return Ok(theme);
        }
        // `High_Contrast` is a built-in name too.
        let normal = spec.trim().to_lowercase().replace('_', "-");
        if let Some(theme) = Theme::builtin(&normal) {
            return Ok(theme);
        }
        // Relative paths are taken from the working directory; `~/` expands.
        let path = expand_home(spec);
        let looks_like_path = spec.contains(['/', '\\', '.']) || spec.starts_with('~');
        if !looks_like_path && !path.exists() {
            return Err(ThemeError::Unknown {
                spec: spec.to_string(),
                suggestion: nearest(&normal, Theme::BUILTIN.iter().copied()),
            });
        }
        let unreadable = |e: std::io::Error| ThemeError::Unreadable {
            path: path.clone(),
            error: Arc::new(e),
        };
        // Not a FIFO or a device: the config check calls this too, and must
        // not block.
        if !std::fs::metadata(&path).map_err(unreadable)?.is_file() {
            return Err(ThemeError::NotAFile { path });
        }
        let text = std::fs::read_to_string(&path).map_err(unreadable)?;
        Theme::parse(&text, &path.display().to_string())
    }

    /// Whether `spec` (a built-in name or a path to a theme file) loads, as
    /// [`Theme::load`] would load it; the error says why not. For the config
    /// check, which checks `theme` without holding a theme.
    pub fn check(spec: &str) -> Result<(), ThemeError> {
        Theme::load(spec).map(|_| ())
    }

    /// The same theme with every colour removed (modifiers kept, so selection and emphasis still show) — for NO_COLOR.
    pub fn without_color(self) -> Theme {
        Theme {
            name: self.name,
            styles: Arc::new(self.styles.map(|s| {
                Style::new()
                    .add_modifier(s.add_modifier)
                    .remove_modifier(s.sub_modifier)
            })),
        }
    }

    /// `Theme::load(spec)` then `without_color()` when the environment variable NO_COLOR is set and non-empty (<https://no-color.org>).
    ///
    /// Without a spec, the default (dark) theme.
    pub fn from_env(spec: Option<&str>) -> Result<Theme, ThemeError> {
        Theme::from_env_with(spec, std::env::var_os("NO_COLOR"))
    }

    /// [`Theme::from_env`] with the value of NO_COLOR given.
    fn from_env_with(spec: Option<&str>, no_color: Option<OsString>) -> Result<Theme, ThemeError> {
        let theme = match spec {
            Some(spec) => Theme::load(spec)?,
            None => Theme::default(),
        };
        Ok(if no_color.is_some_and(|v| !v.is_empty()) {
            theme.without_color()
        } else {
            theme
        })
    }
}

/// How a built-in theme is named in errors.
fn builtin_origin(name: &str) -> String {
    format!("assets/themes/{name}.toml (built in)")
}

/// `~/x` → `$HOME/x`.
fn expand_home(spec: &str) -> PathBuf {
    crate::core::paths::Dirs::system().expand_home(spec)
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit_once('\n')
        .map_or(before, |(_, last)| last)
        .chars()
        .count()
        + 1;
    (line, col)
}

/// The candidate closest to `word`, if any is close enough to suggest.
fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    crate::core::suggest::most_similar(word, candidates)
}

/// Parses a theme file over `base` (the roles it leaves out keep the base's
/// styles, or no style without a base); also returns which roles the file
/// defines.
fn parse_layer(
    text: &str,
    origin: &str,
    base: Option<&Theme>,
) -> Result<(Theme, [bool; ROLES]), ThemeError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| ThemeError::Syntax {
        origin: origin.to_string(),
        position: e.span().map(|span| line_col(text, span.start)),
        message: e.message().trim_end().to_string(),
    })?;
    let mut name = None;
    let mut styles = base.map_or([Style::new(); ROLES], |b| *b.styles);
    let mut defined = [false; ROLES];
    for (key, value) in &table {
        match key.as_str() {
            "name" => {
                let n = value.as_str().ok_or_else(|| ThemeError::NameNotString {
                    origin: origin.to_string(),
                })?;
                name = Some(n.to_string());
            }
            "styles" => {
                let entries = value.as_table().ok_or_else(|| ThemeError::StylesNotTable {
                    origin: origin.to_string(),
                })?;
                for (role_name, entry) in entries {
                    let role = Role::ALL
                        .iter()
                        .copied()
                        .find(|r| r.name() == role_name)
                        .ok_or_else(|| ThemeError::UnknownRole {
                            origin: origin.to_string(),
                            role: role_name.clone(),
                            suggestion: nearest(role_name, Role::ALL.iter().map(|r| r.name())),
                        })?;
                    let style = parse_style(entry).map_err(|error| ThemeError::Style {
                        origin: origin.to_string(),
                        role: role_name.clone(),
                        error,
                    })?;
                    if let (Some(slot), Some(flag)) = (
                        styles.get_mut(role as usize),
                        defined.get_mut(role as usize),
                    ) {
                        *slot = style;
                        *flag = true;
                    }
                }
            }
            other => {
                return Err(ThemeError::UnknownKey {
                    origin: origin.to_string(),
                    key: other.to_string(),
                    suggestion: nearest(other, ["name", "styles"]),
                });
            }
        }
    }
    let name = name.unwrap_or_else(|| {
        Path::new(origin)
            .file_stem()
            .map_or_else(|| origin.to_string(), |s| s.to_string_lossy().into_owned())
    });
    Ok((
        Theme {
            name,
            styles: Arc::new(styles),
        },
        defined,
    ))
}

/// `{ fg = "…", bg = "…", modifiers = […] }`, or a colour alone for `fg`.
fn parse_style(value: &toml::Value) -> Result<Style, StyleError> {
    if value.is_str() || value.is_integer() {
        return Ok(Style::new().fg(parse_color(value)?));
    }
    let table = value.as_table().ok_or(StyleError::NotATable)?;
    let mut style = Style::new();
    for (key, v) in table {
        match key.as_str() {
            "fg" => style = style.fg(parse_color(v).map_err(StyleError::Fg)?),
            "bg" => style = style.bg(parse_color(v).map_err(StyleError::Bg)?),
            "modifiers" => {
                let list = v.as_array().ok_or(StyleError::ModifiersNotList)?;
                for m in list {
                    style = style.add_modifier(parse_modifier(m)?);
                }
            }
            other => {
                return Err(StyleError::UnknownKey {
                    key: other.to_string(),
                    suggestion: nearest(other, ["fg", "bg", "modifiers"]),
                });
            }
        }
    }
    Ok(style)
}

/// Colour names in theme files.
const COLORS: &[(&str, Color)] = &[
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark_gray", Color::DarkGray),
    ("light_red", Color::LightRed),
    ("light_green", Color::LightGreen),
    ("light_yellow", Color::LightYellow),
    ("light_blue", Color::LightBlue),
    ("light_magenta", Color::LightMagenta),
    ("light_cyan", Color::LightCyan),
    ("white", Color::White),
];

/// A colour name, `#rrggbb`, or an index 0–255 (as a string or a number).
fn parse_color(value: &toml::Value) -> Result<Color, ColorError> {
    if let Some(n) = value.as_integer() {
        return u8::try_from(n)
            .map(Color::Indexed)
            .map_err(|_| ColorError::IndexOutOfRange(n.to_string()));
    }
    let s = value.as_str().ok_or(ColorError::NotAColour)?;
    if let Some(hex) = s.strip_prefix('#') {
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        return match (hex.len(), channel(0), channel(2), channel(4)) {
            (6, Some(r), Some(g), Some(b)) => Ok(Color::Rgb(r, g, b)),
            _ => Err(ColorError::BadHex(s.to_string())),
        };
    }
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return s
            .parse::<u8>()
            .map(Color::Indexed)
            .map_err(|_| ColorError::IndexOutOfRange(s.to_string()));
    }
    // ratatui's own names: `dark-gray`, `DarkGray`, `darkgrey` and
    // `dark_gray` are one colour (also `bright_red` for `light_red`).
    s.parse::<Color>().map_err(|_| ColorError::Unknown {
        name: s.to_string(),
        suggestion: nearest(&s.to_lowercase(), COLORS.iter().map(|(n, _)| *n)),
    })
}

/// Modifier names in theme files.
const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
];

fn parse_modifier(value: &toml::Value) -> Result<Modifier, StyleError> {
    let s = value.as_str().ok_or(StyleError::ModifierNotString)?;
    MODIFIERS
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, m)| *m)
        .ok_or_else(|| StyleError::UnknownModifier {
            name: s.to_string(),
            suggestion: nearest(s, MODIFIERS.iter().map(|(n, _)| *n)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in themes that deliberately define only some roles and take
    /// the rest from dark (see the comment at the top of each file).
    const INHERITS_FROM_DARK: &[&str] = &["prod"];

    fn file(name: &str) -> &'static str {
        BUILTIN_FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .unwrap()
    }

    #[test]
    fn role_list_matches_the_enum() {
        for (i, role) in Role::ALL.iter().enumerate() {
            assert_eq!(*role as usize, i, "{role:?}");
        }
        let mut names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Role::ALL.len(), "role names are unique");
        for name in names {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name} is snake_case"
            );
        }
    }

    #[test]
    fn every_builtin_parses_and_has_its_name() {
        assert_eq!(
            BUILTIN_FILES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            Theme::BUILTIN
        );
        for name in Theme::BUILTIN {
            let parsed = Theme::parse(file(name), name).unwrap();
            assert_eq!(parsed.name, *name);
            assert_eq!(Theme::builtin(name), Some(parsed.clone()));
            assert_eq!(Theme::load(name).unwrap(), parsed);
        }
        assert_eq!(Theme::default().name, "dark");
        assert_eq!(Theme::builtin("nope"), None);
    }

    #[test]
    fn every_builtin_defines_every_role_or_documents_its_fallbacks() {
        for name in Theme::BUILTIN {
            let (_, defined) = parse_layer(file(name), name, None).unwrap();
            let missing: Vec<&str> = Role::ALL
                .iter()
                .filter(|r| !defined[**r as usize])
                .map(|r| r.name())
                .collect();
            if INHERITS_FROM_DARK.contains(name) {
                assert!(
                    file(name).contains("fall back to dark"),
                    "{name}.toml says it falls back to dark"
                );
                assert!(!missing.is_empty(), "{name} could drop its fallback note");
            } else {
                assert!(missing.is_empty(), "{name}.toml lacks {missing:?}");
            }
        }
    }

    #[test]
    fn dark_keeps_todays_look() {
        let t = Theme::default();
        assert_eq!(
            t.style(Role::Critical),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        );
        assert_eq!(
            t.severity(Severity::Warning),
            Style::new().fg(Color::Yellow)
        );
        assert_eq!(t.style(Role::Muted), Style::new().fg(Color::Gray));
        assert_eq!(t.style(Role::BorderFocus), Style::new().fg(Color::Cyan));
        assert_eq!(
            t.style(Role::Selected),
            Style::new().add_modifier(Modifier::REVERSED)
        );
        assert_eq!(
            t.style(Role::Header),
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        );
        assert_eq!(t.style(Role::Text), Style::new());
    }

    #[test]
    fn missing_roles_fall_back_to_dark() {
        let t = Theme::parse("[styles]\nmuted = { fg = \"blue\" }\n", "/x/mine.toml").unwrap();
        assert_eq!(t.name, "mine");
        assert_eq!(t.style(Role::Muted), Style::new().fg(Color::Blue));
        assert_eq!(
            t.style(Role::Critical),
            Theme::default().style(Role::Critical)
        );
        let prod = Theme::builtin("prod").unwrap();
        assert_eq!(prod.style(Role::Ok), Theme::default().style(Role::Ok));
        assert_eq!(prod.style(Role::Header).bg, Some(Color::Red));
        assert_eq!(prod.style(Role::BorderFocus).fg, Some(Color::LightRed));
    }

    #[test]
    fn unknown_role_names_the_key_the_file_and_a_suggestion() {
        let e = Theme::parse(
            "[styles]\nselectd = { modifiers = [\"reversed\"] }\n",
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.toml: "), "{e}");
        assert!(e.contains("styles.selectd"), "{e}");
        assert!(e.contains("unknown role"), "{e}");
        assert!(e.contains("did you mean \"selected\""), "{e}");
        let e = Theme::parse("[styles]\nzzzz = {}\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn unknown_colour_and_modifier_errors() {
        let e = Theme::parse("[styles]\nmuted = { fg = \"gren\" }\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("my.toml: styles.muted: fg: "), "{e}");
        assert!(e.contains("unknown colour \"gren\""), "{e}");
        assert!(e.contains("did you mean \"green\""), "{e}");
        let e = Theme::parse("[styles]\nok = { bg = \"purple\" }\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("styles.ok: bg: unknown colour \"purple\""),
            "{e}"
        );
        let e = Theme::parse("[styles]\nkey = { modifiers = [\"bolt\"] }\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("styles.key"), "{e}");
        assert!(
            e.contains("unknown modifier \"bolt\" (did you mean \"bold\"?)"),
            "{e}"
        );
        let e = Theme::parse("[styles]\nkey = { color = \"red\" }\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key \"color\""), "{e}");
        let e = Theme::parse("nme = \"x\"\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean \"name\""), "{e}");
        let e = Theme::parse("[styles\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("my.toml:1:"), "{e}");
        assert!(!e.contains('\n'), "one line: {e}");
        for bad in ["\"#12345\"", "\"#gg0000\"", "\"256\"", "300", "-1"] {
            let e = Theme::parse(&format!("[styles]\nok = {{ fg = {bad} }}\n"), "my.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains("styles.ok: fg: "), "{bad}: {e}");
        }
    }

    #[test]
    fn hex_index_and_name_spellings() {
        let t = Theme::parse(
            "[styles]\n\
             ok = { fg = \"#0aFF10\", bg = \"42\" }\n\
             bad = { fg = 196 }\n\
             muted = \"dark-grey\"\n\
             dim = { fg = \"LightRed\", modifiers = [\"dim\", \"italic\"] }\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(
            t.style(Role::Ok),
            Style::new()
                .fg(Color::Rgb(10, 255, 16))
                .bg(Color::Indexed(42))
        );
        assert_eq!(t.style(Role::Bad), Style::new().fg(Color::Indexed(196)));
        assert_eq!(t.style(Role::Muted), Style::new().fg(Color::DarkGray));
        assert_eq!(
            t.style(Role::Dim),
            Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::DIM | Modifier::ITALIC)
        );
    }

    #[test]
    fn without_color_keeps_only_modifiers() {
        for name in Theme::BUILTIN {
            let t = Theme::builtin(name).unwrap();
            let plain = t.clone().without_color();
            assert_eq!(plain.name, t.name);
            for role in Role::ALL {
                let (before, after) = (t.style(*role), plain.style(*role));
                assert_eq!(after.fg, None, "{name} {role:?}");
                assert_eq!(after.bg, None, "{name} {role:?}");
                assert_eq!(after.add_modifier, before.add_modifier, "{name} {role:?}");
            }
            assert!(
                plain
                    .style(Role::Selected)
                    .add_modifier
                    .contains(Modifier::REVERSED)
            );
        }
    }

    #[test]
    fn no_color_from_the_environment() {
        let colored = Theme::from_env_with(Some("light"), None).unwrap();
        assert_eq!(colored, Theme::builtin("light").unwrap());
        let empty = Theme::from_env_with(Some("light"), Some(OsString::new())).unwrap();
        assert_eq!(empty, colored);
        let plain = Theme::from_env_with(None, Some("1".into())).unwrap();
        assert_eq!(plain, Theme::default().without_color());
        assert!(Theme::from_env_with(Some("nope"), Some("1".into())).is_err());
    }

    #[test]
    fn high_contrast_uses_only_strong_colours() {
        let t = Theme::builtin("high-contrast").unwrap();
        let strong = [
            Color::Reset,
            Color::Black,
            Color::White,
            Color::LightRed,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightBlue,
            Color::LightMagenta,
            Color::LightCyan,
        ];
        for role in Role::ALL {
            let s = t.style(*role);
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(strong.contains(&c), "{role:?} uses {c:?}");
            }
            assert!(!s.add_modifier.contains(Modifier::DIM), "{role:?} is dim");
        }
        for role in [
            Role::Text,
            Role::Muted,
            Role::Dim,
            Role::Silenced,
            Role::Tab,
        ] {
            assert!(t.style(role).fg.is_some(), "{role:?} has a colour");
        }
        let selected = t.style(Role::Selected).add_modifier;
        assert!(selected.contains(Modifier::REVERSED | Modifier::BOLD));
    }

    #[test]
    fn light_has_no_white_or_yellow_text() {
        let t = Theme::builtin("light").unwrap();
        let pale = [
            Color::White,
            Color::Yellow,
            Color::LightYellow,
            Color::Gray,
            Color::LightCyan,
            Color::Cyan,
            Color::LightGreen,
        ];
        for role in Role::ALL {
            if let Some(fg) = t.style(*role).fg {
                assert!(!pale.contains(&fg), "{role:?} uses {fg:?}");
            }
        }
    }

    /// The whole screen for a state with a failing source, the DEMO badge
    /// and `overlays` over `view`.
    fn screen(
        theme: &Theme,
        view: crate::app::state::View,
        overlays: Vec<crate::app::state::Overlay>,
    ) -> ratatui::buffer::Buffer {
        use crate::app::state::{AlertSettings, State};
        let mut state = State::new(
            AlertSettings::from_config(&crate::config::Config::default()),
            vec![(
                "prod".into(),
                crate::alerts::model::SourceKind::Alertmanager,
            )],
            true,
            chrono::Utc::now(),
        );
        state.sources[0].error = Some("connection refused".into());
        state.view = view;
        state.overlays = overlays;
        state.theme = theme.clone();
        let backend = ratatui::backend::TestBackend::new(140, 45);
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        terminal.draw(|f| crate::ui::render(&state, f)).unwrap();
        terminal.backend().buffer().clone()
    }

    #[test]
    fn panes_take_their_colours_from_the_theme() {
        use crate::app::state::{Confirm, Overlay, PendingOp, View};
        let confirm = Overlay::Confirm(Confirm {
            question: "Bump?".into(),
            details: ["--- a", "+++ b", "@@ -1 +1 @@", "-old", "+new", " same"]
                .map(String::from)
                .to_vec(),
            op: PendingOp::Expire(Vec::new()),
        });
        let screens = [
            (View::Alerts, vec![Overlay::Help(0)]),
            (View::Alerts, vec![Overlay::Silences(Box::default())]),
            (View::Release, vec![confirm]),
            (View::Deploy, Vec::new()),
        ];
        for (view, overlays) in screens {
            let dark = screen(&Theme::default(), view, overlays.clone());
            assert_eq!(dark[(0, 0)].bg, Color::Cyan, "{view:?}");
            let prod = screen(&Theme::builtin("prod").unwrap(), view, overlays.clone());
            assert_eq!(prod[(0, 0)].bg, Color::Red, "{view:?}");
            let plain = screen(&Theme::default().without_color(), view, overlays);
            for cell in plain.content() {
                assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{view:?}");
            }
            assert!(plain[(0, 0)].modifier.contains(Modifier::BOLD));
        }
    }

    #[test]
    fn load_reads_files_and_suggests_builtins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ocean.toml");
        std::fs::write(&path, "[styles]\nheader = { bg = \"blue\" }\n").unwrap();
        let t = Theme::load(path.to_str().unwrap()).unwrap();
        assert_eq!(t.name, "ocean");
        assert_eq!(t.style(Role::Header), Style::new().bg(Color::Blue));
        assert_eq!(Theme::load("High_Contrast").unwrap().name, "high-contrast");
        let e = Theme::load("darkk").unwrap_err().to_string();
        assert!(e.contains("did you mean \"dark\""), "{e}");
        assert!(e.contains("light"), "{e}");
        let e = Theme::load("/no/such/theme.toml").unwrap_err().to_string();
        assert!(e.contains("/no/such/theme.toml"), "{e}");
        std::fs::write(&path, "[styles]\nheadr = {}\n").unwrap();
        let e = Theme::load(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(
            e.contains("ocean.toml") && e.contains("styles.headr"),
            "{e}"
        );
        let e =
            Theme::load(dir.path().join("sub.toml").to_str().unwrap()).map_err(|e| e.to_string());
        assert!(e.unwrap_err().contains("cannot read theme file"));
        std::fs::create_dir(dir.path().join("sub.toml")).unwrap();
        let e = Theme::check(dir.path().join("sub.toml").to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("not a regular file"), "{e}");
        assert_eq!(check("prod"), Ok(()));
    }

    /// [`Theme::check`] with the error's text.
    fn check(spec: &str) -> Result<(), String> {
        Theme::check(spec).map_err(|e| e.to_string())
    }

    #[test]
    fn unknown_names_list_the_builtins() {
        assert_eq!(
            check("nope"),
            Err(
                "unknown theme \"nope\"; expected one of dark, light, high-contrast, prod \
                 or a path to a theme file"
                    .into()
            )
        );
        assert_eq!(
            check("drak"),
            Err(
                "unknown theme \"drak\"; expected one of dark, light, high-contrast, prod \
                 or a path to a theme file; did you mean \"dark\"?"
                    .into()
            )
        );
    }
}
