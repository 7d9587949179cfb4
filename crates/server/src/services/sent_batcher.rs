//! Group commit for what the dispatcher sent.
//!
//! Recording a send moves the message to `sent` with WhatsApp's id, a timeline entry and two
//! events, and transactions that append events are serialised (one SQLite writer; the
//! outbox's sequence lock on PostgreSQL). One transaction per send capped dispatch at a few
//! hundred messages a second however many numbers sent side by side. Lanes instead hand their
//! results to one writer task, which records whatever gathered while its previous commit ran
//! in one transaction; each lane waits for its own result, so nothing is reported sent before
//! it is stored.

use super::messages::transition_events;
use tokio::sync::{mpsc, oneshot};
use wagate_core::{InstanceId, MessageId, MessageStatus};
use wagate_engine::SendReceipt;
use wagate_store::{MessageRecord, MessageTransition, Store, StoreError};

/// The most results one transaction takes.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<(), StoreError>>;

struct Sent {
    instance: InstanceId,
    message: MessageId,
    receipt: SendReceipt,
    reply: Reply,
}

/// The handle lanes record their sends on. Cheap to clone.
#[derive(Clone)]
pub(crate) struct SentBatcher {
    jobs: mpsc::Sender<Sent>,
}

/// The message is `sent` with WhatsApp's id; a receipt that overtook the answer to the send
/// already moved it further, and then only the id is added.
pub(super) fn sent_transition(
    receipt: SendReceipt,
) -> impl FnOnce(&MessageRecord) -> Option<MessageTransition> {
    move |current| {
        let advance = current.status.can_move_to(MessageStatus::Sent);
        (advance || current.provider_message_id.is_none()).then(|| MessageTransition {
            steps: if advance {
                vec![(MessageStatus::Sent, receipt.sent_at)]
            } else {
                Vec::new()
            },
            provider_message_id: Some(receipt.provider_message_id.clone()),
            ..Default::default()
        })
    }
}

impl SentBatcher {
    /// Starts the writer task; it ends when the last handle is dropped.
    pub fn start(store: Store) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write(store, queue));
        Self { jobs }
    }

    /// Records the send in some batch; answers once it is stored.
    pub async fn record(
        &self,
        instance: &InstanceId,
        message: MessageId,
        receipt: SendReceipt,
    ) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Sent {
                instance: instance.clone(),
                message,
                receipt,
                reply,
            })
            .await
            .map_err(|_| StoreError::Corrupt("the sent writer has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| StoreError::Corrupt("the sent writer dropped a result".to_owned()))?
    }
}

async fn write(store: Store, mut queue: mpsc::Receiver<Sent>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut replies = Vec::with_capacity(batch.len());
        let mut alone = Vec::with_capacity(batch.len());
        let items: Vec<_> = batch
            .drain(..)
            .map(|sent| {
                replies.push(sent.reply);
                alone.push((sent.instance.clone(), sent.message, sent.receipt.clone()));
                (
                    sent.instance,
                    sent.message.to_string(),
                    sent_transition(sent.receipt),
                )
            })
            .collect();
        match store.transition_messages(items, transition_events).await {
            Ok(_) => {
                for reply in replies {
                    reply.send(Ok(())).ok();
                }
            }
            // All or none: one result that cannot be written must not lose the others, so
            // each is tried alone and answers for itself.
            Err(_) if replies.len() > 1 => {
                for ((instance, message, receipt), reply) in alone.into_iter().zip(replies) {
                    let result = store
                        .transition_message(
                            &instance,
                            &message.to_string(),
                            sent_transition(receipt),
                            transition_events,
                        )
                        .await
                        .map(drop);
                    reply.send(result).ok();
                }
            }
            Err(error) => {
                if let Some(reply) = replies.into_iter().next() {
                    reply.send(Err(error)).ok();
                }
            }
        }
    }
}
