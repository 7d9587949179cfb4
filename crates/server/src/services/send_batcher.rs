//! Group commit for accepted sends.
//!
//! Every accepted send is a transaction (the message, its first timeline entry, its
//! `message.queued` event), and transactions that append events are serialised: SQLite has
//! one writer, and on PostgreSQL the outbox's sequence lock orders them. One transaction per
//! request therefore capped a node at a few hundred sends a second however many clients
//! waited. Requests instead hand their message to one writer task, which commits whatever has
//! gathered while the previous commit ran in a single transaction and answers each request
//! with its own record — no request answers before its message is durable.

use super::event_payloads::message_event;
use tokio::sync::{Notify, mpsc, oneshot};
use wagate_core::{EventKind, MessageStatus};
use wagate_store::{MessageRecord, NewOutboundMessage, Store, StoreError};

/// The most sends one transaction takes.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<MessageRecord, StoreError>>;

/// The handle requests queue their sends on. Cheap to clone.
#[derive(Clone)]
pub(crate) struct SendBatcher {
    jobs: mpsc::Sender<(NewOutboundMessage, Reply)>,
}

impl SendBatcher {
    /// Starts the writer on a thread of its own; it ends when the last handle is dropped.
    ///
    /// On the server's runtime the writer waited behind every request task at each of its
    /// statements (a batch is several round trips to the database), and its batches — and so
    /// every waiting request — took that much longer. Its own thread, runtime and connection
    /// take about a tenth more sends a second on SQLite and a sixth more on PostgreSQL.
    pub fn start(store: Store, dispatcher_wake: std::sync::Arc<Notify>) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("send-writer".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let store = store.with_own_connection();
                    write(&store, queue, dispatcher_wake).await;
                    store.close().await;
                })
            })?;
        Ok(Self { jobs })
    }

    /// Stores the message as queued (or scheduled) with its event, in some batch.
    pub async fn insert(&self, new: NewOutboundMessage) -> Result<MessageRecord, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((new, reply))
            .await
            .map_err(|_| StoreError::Corrupt("the send writer has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| StoreError::Corrupt("the send writer dropped a send".to_owned()))?
    }
}

/// A dry run is recorded without an event: nothing was queued, and no subscriber is told so.
pub(crate) fn queued_event(message: &MessageRecord) -> Vec<wagate_store::NewEvent> {
    if message.status == MessageStatus::Simulated {
        return Vec::new();
    }
    vec![message_event(EventKind::MessageQueued, message)]
}

async fn write(
    store: &Store,
    mut queue: mpsc::Receiver<(NewOutboundMessage, Reply)>,
    dispatcher_wake: std::sync::Arc<Notify>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (news, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        match store
            .insert_outbound_messages(news.clone(), queued_event)
            .await
        {
            Ok(records) => {
                for (reply, record) in replies.into_iter().zip(records) {
                    reply.send(Ok(record)).ok();
                }
            }
            // All or none: one bad send (its instance deleted meanwhile) must not fail the
            // others, so each is tried alone and answers for itself.
            Err(_) if news.len() > 1 => {
                for (new, reply) in news.into_iter().zip(replies) {
                    let result = store.insert_outbound_message(new, queued_event).await;
                    reply.send(result).ok();
                }
            }
            Err(error) => {
                if let Some(reply) = replies.into_iter().next() {
                    reply.send(Err(error)).ok();
                }
            }
        }
        dispatcher_wake.notify_one();
    }
}
