//! A file as a source. An import hands the pipeline requests captured before — records read
//! from an export (`crate::import`) — and they go through the stages a live request does
//! (describe, verify, effects, plan, commit, announce), less those about a sender waiting
//! (admit, read, answer). Each keeps its id (when the file has one), receive time and bytes;
//! one whose id is stored already is skipped. Deliveries are planned only when asked
//! (`forward`); the rules tag and pin, but raise no popup: nothing arrived now.
//!
//! Requests are committed a batch at a time, so live captures never wait behind a whole
//! file; if a batch fails, the batches stored before it are deleted again: an import is
//! all or nothing.

use hooklens_store::{Capture, DeliveryKind, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Pipeline, commit, describe, effects, plan, verify};
use crate::events::Event;
use crate::import::Record;
use crate::provider::Payload;

/// Requests committed in one transaction.
const BATCH: usize = 512;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    /// Requests stored.
    pub imported: u64,
    /// Requests skipped because one with the same id was stored already.
    pub skipped: u64,
    /// Deliveries queued (only with `forward`).
    pub deliveries: u64,
}

impl Pipeline {
    /// Stores `records` in the file's order, through the capture stages; deliveries only
    /// when `forward`. On a failure nothing of the import stays.
    pub async fn import(
        &self,
        records: Vec<Record>,
        forward: bool,
    ) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport::default();
        let mut stored: Vec<String> = Vec::new();
        let mut records = records.into_iter();
        loop {
            let batch: Vec<Capture> = records
                .by_ref()
                .take(BATCH)
                .map(|r| self.prepare(r, forward))
                .collect();
            if batch.is_empty() {
                break;
            }
            let ids: Vec<(String, usize)> = batch
                .iter()
                .map(|c| (c.meta.id.clone(), c.deliveries.len()))
                .collect();
            match commit::commit_imported(&self.store, batch).await {
                Ok(seqs) => {
                    for ((id, deliveries), seq) in ids.into_iter().zip(seqs) {
                        if seq.is_some() {
                            stored.push(id);
                            report.imported += 1;
                            report.deliveries += deliveries as u64;
                        } else {
                            report.skipped += 1;
                        }
                    }
                }
                Err(e) => {
                    self.take_back(stored).await;
                    return Err(e);
                }
            }
        }
        self.announce_import(&report);
        Ok(report)
    }

    /// Stages 3 to 6 for one record: describe, verify, effects, plan.
    fn prepare(&self, record: Record, forward: bool) -> Capture {
        let now = self.forwarder.now_us();
        let endpoint = self.catalog.endpoint_for(&record.path);
        let mut meta = describe::imported(&record, endpoint.as_ref(), now);
        let payload = Payload::new(&record.body);
        // The URL Twilio and Square sign is the endpoint's `public_url`: a tunnel's URL then
        // is not known any more.
        verify::verify(endpoint.as_ref(), &meta, &payload, verify::Reached::PLAIN).apply(&mut meta);
        let mut effects = effects::effects(&self.catalog.rules(), &meta, &payload);
        effects.mark(&mut meta);
        for tag in record.tags {
            if !meta.tags.contains(&tag) {
                meta.tags.push(tag);
            }
        }
        let mut deliveries = match forward {
            true => {
                plan::plan(
                    &self.routes,
                    endpoint.as_ref(),
                    &meta,
                    &effects.forwards,
                    now,
                )
                .deliveries
            }
            false => Vec::new(),
        };
        // Nobody waits for a relayed answer: the relay's delivery goes like any other.
        for d in deliveries
            .iter_mut()
            .filter(|d| d.kind == DeliveryKind::Relay)
        {
            d.kind = DeliveryKind::Auto;
            d.next_attempt_at_us = now;
        }
        Capture {
            meta,
            body: record.body,
            pinned: record.pinned || effects.pin,
            deliveries,
        }
    }

    /// Deletes what a failed import stored.
    async fn take_back(&self, ids: Vec<String>) {
        let n = ids.len();
        if let Err(e) = self.store.delete_requests(ids).await {
            tracing::error!(error = %e, requests = n, "an import failed and what it stored could not be deleted again");
        }
    }

    /// Stage 8 for an import: one event for the whole file (lists re-read), and the
    /// forwarder's wake-up when deliveries were queued.
    fn announce_import(&self, report: &ImportReport) {
        if report.imported > 0 {
            self.events.emit(Event::RequestsImported {
                count: report.imported,
            });
        }
        if report.deliveries > 0 {
            self.forwarder.wake();
        }
    }
}
