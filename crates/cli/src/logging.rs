//! Structured logs on stderr (stdout is for command output): JSON by default, as CloudWatch
//! and log pipelines want; plain text for humans with `--log-format text`. Level from `RUST_LOG`.
//!
//! Text logs escape control characters in every field: values come from outside (GitHub's
//! error messages, request paths), and a raw line break or escape sequence would forge log
//! lines or drive the terminal. JSON logs escape them by construction.

use std::fmt::Write as _;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{Writer, debug_fn};

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Json,
    Text,
}

/// Installs the global subscriber.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => builder.fmt_fields(escaped_fields()).init(),
    }
}

/// The text format's fields as tracing-subscriber's default writes them (the message bare,
/// then `name=value`, the `log.*` bookkeeping of bridged `log` records left out), with control
/// characters escaped.
fn escaped_fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    debug_fn(|writer: &mut Writer<'_>, field, value| {
        let name = field.name();
        if name.starts_with("log.") {
            return Ok(());
        }
        let text = escape_controls(&format!("{value:?}"));
        if name == "message" {
            writer.write_str(&text)
        } else {
            write!(writer, "{name}={text}")
        }
    })
    .delimited(" ")
}

/// `text` with every control character (line breaks, tabs, ESC, DEL, C1) written as `\n`, `\t`
/// or `\u{…}`.
fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .expect("not poisoned")
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn text_logs_escape_control_characters_in_messages_and_fields() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .fmt_fields(escaped_fields())
            .finish();
        let hostile = "Forbidden\nINFO forged line\x1b[31m\x07\r\t\u{9b}";
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("repository", repository = %hostile);
            let _entered = span.enter();
            tracing::warn!(status = 403, message = %hostile);
            tracing::warn!("{hostile}");
        });
        let output =
            String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("UTF-8");
        assert_eq!(output.lines().count(), 2, "{output}");
        assert!(
            output
                .lines()
                .all(|line| !line.chars().any(char::is_control)),
            "{output:?}"
        );
        assert!(
            output.contains(r"Forbidden\nINFO forged line\u{1b}[31m\u{7}\r\t\u{9b}"),
            "{output}"
        );
        assert!(output.contains("status=403"), "{output}");
        assert!(
            output.contains("repository{repository=Forbidden\\n"),
            "{output}"
        );
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(
            escape_controls("acme/widgets: 403 é"),
            "acme/widgets: 403 é"
        );
    }
}
