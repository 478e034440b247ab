//! The data the fake serves: one pull request as a test or the demo describes it, with only the
//! fields that vary between PRs. Everything else of GitHub's payload (URLs, node ids, the
//! repository objects) is derived when rendering.

use chrono::{DateTime, Utc};

/// A GitHub account as it appears in `user` (and `head.user` / `base.user`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeUser {
    pub login: String,
    pub id: u64,
    /// `"User"`, `"Bot"` or `"Organization"`, as in GitHub's `type` field.
    pub user_type: String,
    pub site_admin: bool,
}

impl FakeUser {
    /// A human account.
    pub fn user(login: &str, id: u64) -> Self {
        Self::with_type(login, id, "User")
    }

    /// A bot account such as `dependabot[bot]`.
    pub fn bot(login: &str, id: u64) -> Self {
        Self::with_type(login, id, "Bot")
    }

    /// An organization account (the owner of repositories).
    pub fn organization(login: &str, id: u64) -> Self {
        Self::with_type(login, id, "Organization")
    }

    fn with_type(login: &str, id: u64, user_type: &str) -> Self {
        Self {
            login: login.to_owned(),
            id,
            user_type: user_type.to_owned(),
            site_admin: false,
        }
    }
}

/// A label on a PR. GitHub sends `description: null` for labels created without one, although
/// its OpenAPI description says `string`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeLabel {
    pub id: u64,
    pub name: String,
    pub description: Option<String>,
    /// Six hex digits, no `#`.
    pub color: String,
    pub default: bool,
}

impl FakeLabel {
    /// A non-default label with a description and a grey colour.
    pub fn new(id: u64, name: &str, description: Option<&str>) -> Self {
        Self {
            id,
            name: name.to_owned(),
            description: description.map(str::to_owned),
            color: "ededed".to_owned(),
            default: false,
        }
    }
}

/// One pull request of one repository. `state` is derived: `"closed"` when `closed_at` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePull {
    pub number: u64,
    /// GitHub's numeric id of the PR. The constructors derive `1_000_000 + number`; set distinct
    /// ids yourself when a test needs them unique across repositories.
    pub id: u64,
    pub title: String,
    pub body: Option<String>,
    /// `None` renders `"user": null`, as GitHub does for deleted ("ghost") accounts.
    pub user: Option<FakeUser>,
    pub draft: bool,
    pub labels: Vec<FakeLabel>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Set only for merged PRs; closed-unmerged PRs have `closed_at` but `merged_at: null`.
    pub merged_at: Option<DateTime<Utc>>,
    pub merge_commit_sha: Option<String>,
    pub head_ref: String,
    pub head_sha: String,
    pub base_ref: String,
    pub base_sha: String,
    /// `true` renders `head.repo: null`, as GitHub does once the fork a PR came from is deleted.
    pub head_repo_deleted: bool,
    /// `"MEMBER"`, `"CONTRIBUTOR"`, `"NONE"`, …
    pub author_association: String,
    /// `true` renders the item as 2012-era GitHub did (real recordings have such items):
    /// without `draft` and without `user.type`.
    pub legacy_shape: bool,
    /// `true` renders `head.user`, `base.user` and `head.label` as `null`, as GitHub does for
    /// some PRs whose head fork or owner account is gone.
    pub null_branch_owners: bool,
}

impl FakePull {
    /// An open PR by `user`, created (and last updated) at `created_at`.
    pub fn open(number: u64, user: Option<FakeUser>, created_at: DateTime<Utc>) -> Self {
        Self {
            number,
            id: 1_000_000 + number,
            title: format!("Change #{number}"),
            body: Some(format!("Description of change #{number}.")),
            user,
            draft: false,
            labels: Vec::new(),
            created_at,
            updated_at: created_at,
            closed_at: None,
            merged_at: None,
            merge_commit_sha: None,
            head_ref: format!("feature-{number}"),
            head_sha: fake_sha(number, 1),
            base_ref: "main".to_owned(),
            base_sha: fake_sha(number, 2),
            head_repo_deleted: false,
            author_association: "MEMBER".to_owned(),
            legacy_shape: false,
            null_branch_owners: false,
        }
    }

    /// A PR merged at `merged_at` (closed then too, last updated then).
    pub fn merged(
        number: u64,
        user: Option<FakeUser>,
        created_at: DateTime<Utc>,
        merged_at: DateTime<Utc>,
    ) -> Self {
        Self {
            updated_at: merged_at,
            closed_at: Some(merged_at),
            merged_at: Some(merged_at),
            merge_commit_sha: Some(fake_sha(number, 3)),
            ..Self::open(number, user, created_at)
        }
    }

    /// A PR closed without merging at `closed_at` (`merged_at: null`; GitHub still reports a
    /// test-merge commit in `merge_commit_sha`).
    pub fn closed_unmerged(
        number: u64,
        user: Option<FakeUser>,
        created_at: DateTime<Utc>,
        closed_at: DateTime<Utc>,
    ) -> Self {
        Self {
            updated_at: closed_at,
            closed_at: Some(closed_at),
            merge_commit_sha: Some(fake_sha(number, 4)),
            ..Self::open(number, user, created_at)
        }
    }

    /// The same PR with another title.
    pub fn with_title(mut self, title: &str) -> Self {
        self.title = title.to_owned();
        self
    }

    /// The same PR with these labels.
    pub fn with_labels(mut self, labels: Vec<FakeLabel>) -> Self {
        self.labels = labels;
        self
    }

    /// The same PR marked draft (GitHub keeps `draft: true` on a draft PR that was merged).
    pub fn with_draft(mut self, draft: bool) -> Self {
        self.draft = draft;
        self
    }

    /// The same PR whose head fork has been deleted (`head.repo: null`).
    pub fn with_deleted_head_repo(mut self) -> Self {
        self.head_repo_deleted = true;
        self
    }

    /// The same PR rendered without `draft` and `user.type`, as in 2012-era payloads.
    pub fn with_legacy_shape(mut self) -> Self {
        self.legacy_shape = true;
        self
    }

    /// The same PR with `head.user`, `base.user` and `head.label` rendered as `null`.
    pub fn with_null_branch_owners(mut self) -> Self {
        self.null_branch_owners = true;
        self
    }

    /// `"open"` or `"closed"`, as GitHub reports it.
    pub fn state(&self) -> &'static str {
        if self.closed_at.is_some() {
            "closed"
        } else {
            "open"
        }
    }
}

/// A deterministic 40-hex-digit commit SHA for PR `number`, distinct per `salt`.
fn fake_sha(number: u64, salt: u64) -> String {
    let a = number.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    let b = a.rotate_left(29).wrapping_mul(0x1656_67B1_9E37_79F9);
    format!("{a:016x}{b:016x}{:08x}", (a ^ b) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_shas_are_forty_hex_digits_and_distinct() {
        let a = fake_sha(1, 1);
        assert_eq!(a.len(), 40);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, fake_sha(1, 2));
        assert_ne!(a, fake_sha(2, 1));
    }
}
