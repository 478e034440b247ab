//! The pull list's query string, with GitHub's defaults (`state=open`, `sort=created`,
//! `direction` desc for `created` and asc otherwise, `per_page=30` capped at 100, `page=1`), and
//! the `Link` header GitHub builds from it.

use crate::store::{SortKey, StateFilter, ViewKey};

/// The largest `per_page` GitHub honours.
pub(crate) const MAX_PER_PAGE: u64 = 100;
const DEFAULT_PER_PAGE: u64 = 30;

/// A parsed pull-list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub view: ViewKey,
    pub per_page: u64,
    pub page: u64,
    /// The query's `key=value` pairs other than `page`, as sent, for `Link` URLs.
    others: Vec<String>,
}

/// A value GitHub would reject with 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryError(pub String);

impl ListQuery {
    /// Parses a raw query string (without `?`).
    pub fn parse(raw: &str) -> Result<Self, QueryError> {
        let mut state = StateFilter::Open;
        let mut sort = SortKey::Created;
        let mut direction = None;
        let mut per_page = DEFAULT_PER_PAGE;
        let mut page = 1;
        let mut others = Vec::new();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "state" => {
                    state = match value {
                        "open" => StateFilter::Open,
                        "closed" => StateFilter::Closed,
                        "all" => StateFilter::All,
                        _ => return Err(invalid("state", value)),
                    }
                }
                "sort" => {
                    sort = match value {
                        "created" => SortKey::Created,
                        "updated" => SortKey::Updated,
                        // GitHub has `popularity` and `long-running` too; the fake does not.
                        _ => return Err(invalid("sort", value)),
                    }
                }
                "direction" => {
                    direction = Some(match value {
                        "asc" => false,
                        "desc" => true,
                        _ => return Err(invalid("direction", value)),
                    })
                }
                // GitHub ignores values it cannot read as numbers and uses the default.
                "per_page" => {
                    per_page = value
                        .parse()
                        .map_or(DEFAULT_PER_PAGE, |n: u64| n.clamp(1, MAX_PER_PAGE))
                }
                "page" => page = value.parse().map_or(1, |n: u64| n.max(1)),
                _ => {}
            }
            if key != "page" {
                others.push(pair.to_owned());
            }
        }
        let descending = direction.unwrap_or(sort == SortKey::Created);
        Ok(Self {
            view: ViewKey {
                state,
                sort,
                descending,
            },
            per_page,
            page,
            others,
        })
    }

    /// GitHub's `Link` header for this page of a list of `last_page` pages at `list_url`
    /// (`…/repositories/{id}/pulls`): `next` and `last` while there are more pages, `prev` and
    /// `first` after the first. `None` when everything fits on one page.
    pub fn link_header(&self, list_url: &str, last_page: u64) -> Option<String> {
        if last_page <= 1 && self.page <= 1 {
            return None;
        }
        let url = |page: u64| {
            let mut pairs = self.others.clone();
            pairs.push(format!("page={page}"));
            format!("<{list_url}?{}>", pairs.join("&"))
        };
        let mut links = Vec::new();
        if self.page > 1 {
            links.push(format!("{}; rel=\"prev\"", url(self.page - 1)));
        }
        if self.page < last_page {
            links.push(format!("{}; rel=\"next\"", url(self.page + 1)));
            links.push(format!("{}; rel=\"last\"", url(last_page)));
        }
        if self.page > 1 {
            links.push(format!("{}; rel=\"first\"", url(1)));
        }
        Some(links.join(", "))
    }
}

fn invalid(field: &str, value: &str) -> QueryError {
    QueryError(format!(
        "Validation Failed: {value:?} is not a valid value for {field}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_github() {
        let q = ListQuery::parse("").unwrap();
        assert_eq!(q.view.state, StateFilter::Open);
        assert_eq!(q.view.sort, SortKey::Created);
        assert!(q.view.descending);
        assert_eq!((q.per_page, q.page), (30, 1));
        let q = ListQuery::parse("sort=updated").unwrap();
        assert!(!q.view.descending, "non-created sorts default to asc");
    }

    #[test]
    fn per_page_is_capped_at_100_and_bad_enums_are_rejected() {
        assert_eq!(ListQuery::parse("per_page=1000").unwrap().per_page, 100);
        assert_eq!(ListQuery::parse("per_page=x").unwrap().per_page, 30);
        assert!(ListQuery::parse("state=merged").is_err());
    }

    #[test]
    fn link_header_keeps_the_query_and_names_next_and_last() {
        let q = ListQuery::parse("state=closed&sort=updated&direction=desc&per_page=100").unwrap();
        let link = q
            .link_header("http://h/api/v3/repositories/7/pulls", 3)
            .unwrap();
        assert_eq!(
            link,
            "<http://h/api/v3/repositories/7/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=2>; rel=\"next\", \
             <http://h/api/v3/repositories/7/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=3>; rel=\"last\""
        );
        let last = ListQuery::parse("per_page=100&page=3").unwrap();
        let link = last
            .link_header("http://h/repositories/7/pulls", 3)
            .unwrap();
        assert!(link.contains("page=2>; rel=\"prev\""));
        assert!(!link.contains("rel=\"next\""));
        assert!(ListQuery::parse("").unwrap().link_header("u", 1).is_none());
    }
}
