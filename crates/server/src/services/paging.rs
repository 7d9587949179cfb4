//! Page size and number of the paged lists (`?limit=&page=`), checked alike everywhere.

use super::{ServiceError, ServiceResult};

/// A list's paging: its default and largest page size.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paging {
    pub default_size: i64,
    pub max_size: i64,
}

impl Paging {
    /// The page size and number asked for (defaults where not), or the field in error.
    pub fn parse(self, limit: Option<i64>, page: Option<i64>) -> ServiceResult<(i64, i64)> {
        let limit = limit.unwrap_or(self.default_size);
        if !(1..=self.max_size).contains(&limit) {
            return Err(ServiceError::field(
                "limit",
                format!("must be between 1 and {}", self.max_size),
            ));
        }
        let page = page.unwrap_or(1);
        if page < 1 {
            return Err(ServiceError::field("page", "must be 1 or more"));
        }
        Ok((limit, page))
    }
}

/// Rows to skip for a page.
pub(crate) fn offset(limit: i64, page: i64) -> i64 {
    (page - 1).saturating_mul(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_checked_and_defaulted() {
        let paging = Paging {
            default_size: 20,
            max_size: 200,
        };
        assert_eq!(paging.parse(None, None).unwrap(), (20, 1));
        assert_eq!(paging.parse(Some(200), Some(3)).unwrap(), (200, 3));
        assert!(paging.parse(Some(0), None).is_err());
        assert!(paging.parse(Some(201), None).is_err());
        assert!(paging.parse(None, Some(0)).is_err());
        assert_eq!(offset(20, 3), 40);
    }
}
