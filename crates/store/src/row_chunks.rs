//! Multi-row statements built for a few fixed row counts.
//!
//! A statement's text depends on how many rows it inserts, and the driver caches prepared
//! statements by text. Group commits arrive with any count from 1 to a few hundred, so chunks
//! of whatever size made nearly every statement a new text, parsed and planned again; splitting
//! into power-of-two chunks keeps the texts to a handful that stay prepared.

/// The largest chunk. Its statements stay well under the bind limits of both databases.
const LARGEST: usize = 64;

/// `rows` split into chunks of 64, 32, …, 1 rows, largest first.
pub(crate) fn row_chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = if rest.len() >= LARGEST {
            LARGEST
        } else {
            1 << rest.len().ilog2()
        };
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(n: usize) -> Vec<usize> {
        row_chunks(&vec![(); n]).map(<[()]>::len).collect()
    }

    #[test]
    fn chunks_are_powers_of_two_and_cover_every_row() {
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), vec![1]);
        assert_eq!(sizes(63), vec![32, 16, 8, 4, 2, 1]);
        assert_eq!(sizes(130), vec![64, 64, 2]);
        for n in 0..300 {
            let chunks = sizes(n);
            assert_eq!(chunks.iter().sum::<usize>(), n);
            assert!(
                chunks
                    .iter()
                    .all(|size| size.is_power_of_two() && *size <= LARGEST)
            );
        }
    }
}
