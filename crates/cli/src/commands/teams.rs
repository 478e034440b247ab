//! `dorameter teams sync|validate`.

use super::connect;
use crate::config::{DatabaseArgs, TeamConfigArgs};
use anyhow::Context;
use chrono::SecondsFormat;
use domain::{MemberChange, Membership, TeamChanges};
use std::process::ExitCode;

/// Validates without a database.
pub fn validate(config: &TeamConfigArgs) -> anyhow::Result<ExitCode> {
    let config = config.load()?;
    let members: usize = config.teams.iter().map(|t| t.members.len()).sum();
    println!(
        "team config is valid: {} teams, {members} memberships",
        config.teams.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Validates, then writes what changed (nothing at all when the config is invalid).
pub async fn sync(database: &DatabaseArgs, config: &TeamConfigArgs) -> anyhow::Result<ExitCode> {
    let desired = config.load()?;
    let store = connect(database).await?;
    let changes = store
        .sync_teams(&desired)
        .await
        .context("while writing the team config")?;
    print!("{}", describe(&changes));
    Ok(ExitCode::SUCCESS)
}

fn span(m: &Membership) -> String {
    let day = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    match m.left_at {
        Some(left) => format!("weight {}, {} to {}", m.weight, day(m.joined_at), day(left)),
        None => format!("weight {}, from {}", m.weight, day(m.joined_at)),
    }
}

fn member_line(verb: &str, c: &MemberChange) -> String {
    let detail = match (&c.before, &c.after) {
        (Some(b), Some(a)) => format!("{} -> {}", span(b), span(a)),
        (Some(m), None) | (None, Some(m)) => span(m),
        (None, None) => String::new(),
    };
    format!("member {verb}: {}/{} ({detail})\n", c.team_id, c.login)
}

/// Human-readable list of the changes, one per line, and a total.
pub fn describe(changes: &TeamChanges) -> String {
    if changes.is_empty() {
        return "no changes: the database already matches the team config\n".into();
    }
    let mut out = String::new();
    for id in &changes.teams_added {
        out += &format!("team added: {id}\n");
    }
    for id in &changes.teams_changed {
        out += &format!("team changed: {id}\n");
    }
    for id in &changes.teams_removed {
        out += &format!("team removed: {id}\n");
    }
    for c in &changes.members_added {
        out += &member_line("added", c);
    }
    for c in &changes.members_changed {
        out += &member_line("changed", c);
    }
    for c in &changes.members_removed {
        out += &member_line("removed", c);
    }
    out += &format!(
        "teams: {} added, {} changed, {} removed; members: {} added, {} changed, {} removed\n",
        changes.teams_added.len(),
        changes.teams_changed.len(),
        changes.teams_removed.len(),
        changes.members_added.len(),
        changes.members_changed.len(),
        changes.members_removed.len(),
    );
    out
}
