//! Imports on PostgreSQL (see `sqlite::requests`): a file's captures in one transaction,
//! each skipped by its id when stored already, and taken back by id when an import fails.

use super::PgStore;
use super::writer::{INSERT_NEW, Values};
use crate::{Capture, Result};

impl PgStore {
    /// The inserts are pipelined on one connection, in order, so a second capture with an
    /// id the file held already finds the first and is skipped. The sequencer numbers the
    /// stored ones once the transaction commits.
    pub async fn import_requests(&self, captures: Vec<Capture>) -> Result<Vec<Option<i64>>> {
        let values = captures
            .iter()
            .map(|c| Values::of(c, self.inner.instance))
            .collect::<Result<Vec<_>>>()?;
        let params: Vec<_> = values.iter().map(Values::params).collect();
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let stmt = tx.prepare_cached(INSERT_NEW).await?;
        let inserts = params.iter().map(|p| tx.query_opt(&stmt, p));
        let rows = futures_util::future::try_join_all(inserts).await?;
        tx.commit().await?;
        self.inner.sequence.notify_one();
        rows.iter()
            .map(|row| Ok(row.as_ref().map(|r| r.try_get(0)).transpose()?))
            .collect()
    }

    pub async fn delete_requests(&self, ids: Vec<String>) -> Result<u64> {
        let conn = self.conn().await?;
        Ok(conn
            .execute("DELETE FROM requests WHERE id = ANY ($1)", &[&ids])
            .await?)
    }
}
