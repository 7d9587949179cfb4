//! The server: one task per WebSocket connection, and the state every connection shares
//! (linked devices, unlinked connections waiting for a scan), which the test drives.

use anyhow::{Context, anyhow};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::any;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use whatsapp_rust::NodeBuilder;
use whatsapp_rust::wacore::framing::{FrameDecoder, encode_frame};
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::consts::WA_CONN_HEADER;

use crate::groups::{Groups, Notice};
use crate::handshake::{AfterHello, ServerIdentity, answer_hello, read_finish};
use crate::phone::{device_identity, read_qr};
use crate::wire::Wire;

/// WhatsApp's own address, the sender of every server stanza.
const SERVER: &str = "s.whatsapp.net";
/// QR references handed to an unlinked device per connection, as WhatsApp does (the first
/// lasts 60 s in the client, the others 20 s).
const REFERENCES_PER_CONNECTION: usize = 6;
/// How long a scan waits for the companion to sign its identity.
const SIGN_TIMEOUT: Duration = Duration::from_secs(10);

/// A phone number that scans QR codes.
#[derive(Clone, Debug)]
pub struct FakePhone {
    /// Digits only, with the country code.
    pub number: String,
    /// The account's LID user part.
    pub lid: String,
    pub push_name: String,
}

impl FakePhone {
    pub fn new(number: &str, lid: &str, push_name: &str) -> Self {
        Self {
            number: number.to_owned(),
            lid: lid.to_owned(),
            push_name: push_name.to_owned(),
        }
    }
}

enum Command {
    Send(Node),
    Close,
}

enum Role {
    /// An unlinked device showing QR codes for these references.
    Unlinked {
        references: Vec<String>,
        signed: Option<oneshot::Sender<()>>,
    },
    /// A linked device, logged in.
    Linked { number: String },
}

struct Connection {
    commands: mpsc::UnboundedSender<Command>,
    role: Role,
}

impl Connection {
    fn send(&self, node: Node) {
        let _ = self.commands.send(Command::Send(node));
    }

    fn close(&self) {
        let _ = self.commands.send(Command::Close);
    }
}

#[derive(Default)]
struct Registry {
    next_connection: u64,
    connections: HashMap<u64, Connection>,
    /// Linked devices: (number, device index) and the phone they belong to.
    devices: HashMap<(String, u32), FakePhone>,
    next_device: HashMap<String, u32>,
    logins: u64,
    groups: Groups,
}

impl Registry {
    fn add(&mut self, connection: Connection) -> u64 {
        self.next_connection += 1;
        self.connections.insert(self.next_connection, connection);
        self.next_connection
    }

    fn linked_to<'a>(&'a self, number: &'a str) -> impl Iterator<Item = &'a Connection> + 'a {
        self.connections.values().filter(
            move |connection| matches!(&connection.role, Role::Linked { number: n } if n == number),
        )
    }
}

struct Shared {
    identity: ServerIdentity,
    registry: Mutex<Registry>,
}

impl Shared {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().expect("registry lock poisoned")
    }
}

/// The running server; dropping it stops listening (open connections end with their
/// clients).
pub struct WebFake {
    shared: Arc<Shared>,
    address: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for WebFake {
    fn drop(&mut self) {
        self.server.abort();
        for connection in self.shared.registry().connections.values() {
            connection.close();
        }
    }
}

impl WebFake {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            identity: ServerIdentity::generate(),
            registry: Mutex::new(Registry::default()),
        });
        let app = Router::new()
            .route("/ws/chat", any(upgrade))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let address = listener.local_addr().expect("the bound address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the fake serves");
        });
        Self {
            shared,
            address,
            server,
        }
    }

    /// The WebSocket address to give the web engine.
    pub fn url(&self) -> String {
        format!("ws://{}/ws/chat", self.address)
    }

    /// The phone scans a QR code a companion shows: the companion is linked to `phone` as
    /// its next device, and, as WhatsApp does, told to reconnect and log in.
    pub async fn scan(&self, qr_code: &str, phone: &FakePhone) -> anyhow::Result<()> {
        let qr = read_qr(qr_code)?;
        let (signed, on_signed) = oneshot::channel();
        let (connection_id, device) = {
            let mut registry = self.shared.registry();
            let (&id, _) = registry
                .connections
                .iter()
                .find(|(_, connection)| {
                    matches!(&connection.role, Role::Unlinked { references, .. } if references.contains(&qr.reference))
                })
                .ok_or_else(|| anyhow!("no connected companion shows the reference {}", qr.reference))?;
            let device = {
                let next = registry
                    .next_device
                    .entry(phone.number.clone())
                    .or_insert(0);
                *next += 1;
                *next
            };
            let account = KeyPair::generate(&mut rand::rng());
            let connection = registry.connections.get_mut(&id).expect("just found");
            if let Role::Unlinked {
                signed: waiting, ..
            } = &mut connection.role
            {
                *waiting = Some(signed);
            }
            connection.send(pair_success(
                phone,
                device,
                device_identity(&qr, &account, device),
            ));
            (id, device)
        };
        tokio::time::timeout(SIGN_TIMEOUT, on_signed)
            .await
            .context("the companion did not sign its identity in time")?
            .context("the companion went away before it signed")?;
        let mut registry = self.shared.registry();
        registry
            .devices
            .insert((phone.number.clone(), device), phone.clone());
        if let Some(connection) = registry.connections.get(&connection_id) {
            connection.send(NodeBuilder::new("stream:error").attr("code", "515").build());
            connection.close();
        }
        Ok(())
    }

    /// WhatsApp retires the secret of every QR code shown: each unlinked companion is told to
    /// make a new one. Returns how many were told.
    pub fn rotate_qr_codes(&self) -> usize {
        let registry = self.shared.registry();
        let unlinked = registry
            .connections
            .values()
            .filter(|connection| matches!(connection.role, Role::Unlinked { .. }));
        let mut told = 0;
        for connection in unlinked {
            connection.send(
                NodeBuilder::new("notification")
                    .attr("from", SERVER)
                    .attr("type", "companion_reg_refresh")
                    .attr("id", format!("rotate-{told}"))
                    .children([NodeBuilder::new("pair-device-rotate-qr").build()])
                    .build(),
            );
            told += 1;
        }
        told
    }

    /// Closes the connections of `number`'s linked devices from the server's side, as a
    /// network failure would. Returns how many were closed.
    pub fn drop_connections(&self, number: &str) -> usize {
        let registry = self.shared.registry();
        let mut dropped = 0;
        for connection in registry.linked_to(number) {
            connection.close();
            dropped += 1;
        }
        dropped
    }

    /// The phone removes every linked device of `number`: connected ones are told so, and
    /// their next logins are refused. Returns how many devices were removed.
    pub fn remove_devices(&self, number: &str) -> usize {
        let mut registry = self.shared.registry();
        let before = registry.devices.len();
        registry.devices.retain(|(n, _), _| n != number);
        for connection in registry.linked_to(number) {
            connection.send(
                NodeBuilder::new("stream:error")
                    .children([NodeBuilder::new("conflict")
                        .attr("type", "device_removed")
                        .build()])
                    .build(),
            );
            connection.close();
        }
        before - registry.devices.len()
    }

    /// Open connections of `number`'s linked devices.
    pub fn connected(&self, number: &str) -> usize {
        self.shared.registry().linked_to(number).count()
    }

    /// Open connections of linked devices, all numbers.
    pub fn connected_devices(&self) -> usize {
        self.shared
            .registry()
            .connections
            .values()
            .filter(|connection| matches!(connection.role, Role::Linked { .. }))
            .count()
    }

    /// Logins of linked devices accepted since the start.
    pub fn logins(&self) -> u64 {
        self.shared.registry().logins
    }
}

fn pair_success(phone: &FakePhone, device: u32, identity: Vec<u8>) -> Node {
    NodeBuilder::new("iq")
        .attr("from", SERVER)
        .attr("type", "set")
        .attr("id", format!("pair-success-{}-{device}", phone.number))
        .attr("xmlns", "md")
        .children([NodeBuilder::new("pair-success")
            .children([
                NodeBuilder::new("device-identity")
                    .attr("key-index", device.to_string())
                    .bytes(identity)
                    .build(),
                NodeBuilder::new("platform").attr("name", "android").build(),
                NodeBuilder::new("device")
                    .attr("jid", format!("{}:{device}@s.whatsapp.net", phone.number))
                    .attr("lid", format!("{}:{device}@lid", phone.lid))
                    .build(),
                NodeBuilder::new("biz")
                    .attr("name", phone.push_name.clone())
                    .build(),
            ])
            .build()])
        .build()
}

async fn upgrade(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| async move {
        if let Err(error) = serve(&shared, socket).await {
            tracing::debug!(%error, "a fake WhatsApp Web connection ended");
        }
    })
}

async fn next_binary(socket: &mut WebSocket) -> anyhow::Result<Vec<u8>> {
    loop {
        match socket.recv().await {
            Some(Ok(Message::Binary(data))) => return Ok(data.to_vec()),
            Some(Ok(Message::Close(_))) | None => return Err(anyhow!("the client left")),
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(error.into()),
        }
    }
}

async fn next_frame(socket: &mut WebSocket, frames: &mut FrameDecoder) -> anyhow::Result<Vec<u8>> {
    loop {
        if let Some(frame) = frames.decode_frame() {
            return Ok(frame.to_vec());
        }
        frames.feed(&next_binary(socket).await?);
    }
}

async fn serve(shared: &Shared, mut socket: WebSocket) -> anyhow::Result<()> {
    let mut frames = FrameDecoder::new();
    let first = next_binary(&mut socket).await?;
    let hello = first
        .strip_prefix(&WA_CONN_HEADER[..])
        .ok_or_else(|| anyhow!("the connection does not open with WhatsApp's header"))?;
    frames.feed(hello);
    let hello = next_frame(&mut socket, &mut frames).await?;
    let (server_hello, after) = answer_hello(&shared.identity, &hello)?;
    socket
        .send(Message::Binary(encode_frame(&server_hello, None)?.into()))
        .await?;
    let established = match after {
        AfterHello::Done(established) => established,
        AfterHello::AwaitFinish { noise, ephemeral } => {
            let finish = next_frame(&mut socket, &mut frames).await?;
            read_finish(noise, ephemeral, &finish)?
        }
    };
    let login = established
        .payload
        .username
        .map(|user| (user.to_string(), established.payload.device.unwrap_or(0)));
    let mut wire = Wire::new(established, frames);
    let (commands, mut queued) = mpsc::unbounded_channel();

    let registered = {
        let mut registry = shared.registry();
        match login {
            Some((number, device)) => {
                let known = registry.devices.get(&(number.clone(), device)).cloned();
                known.map(|phone| {
                    registry.logins += 1;
                    let connection = Connection {
                        commands,
                        role: Role::Linked { number },
                    };
                    connection.send(
                        NodeBuilder::new("success")
                            .attr("t", unix_now().to_string())
                            .attr("lid", format!("{}:{device}@lid", phone.lid))
                            .build(),
                    );
                    registry.add(connection)
                })
            }
            None => {
                let id = registry.next_connection + 1;
                let references: Vec<String> = (0..REFERENCES_PER_CONNECTION)
                    .map(|n| format!("2@fake-ref-{id}-{n}"))
                    .collect();
                let connection = Connection {
                    commands,
                    role: Role::Unlinked {
                        references: references.clone(),
                        signed: None,
                    },
                };
                connection.send(pair_device(id, &references));
                Some(registry.add(connection))
            }
        }
    };
    let Some(id) = registered else {
        // A device the phone removed (or never linked) is refused at login.
        let refused = NodeBuilder::new("failure").attr("reason", "401").build();
        socket
            .send(Message::Binary(wire.seal(&refused)?.into()))
            .await?;
        let _ = socket.send(Message::Close(None)).await;
        return Ok(());
    };

    let outcome = converse(shared, id, &mut socket, &mut wire, &mut queued).await;
    shared.registry().connections.remove(&id);
    outcome
}

fn pair_device(id: u64, references: &[String]) -> Node {
    NodeBuilder::new("iq")
        .attr("from", SERVER)
        .attr("type", "set")
        .attr("id", format!("pair-device-{id}"))
        .attr("xmlns", "md")
        .children([NodeBuilder::new("pair-device")
            .children(
                references
                    .iter()
                    .map(|reference| NodeBuilder::new("ref").bytes(reference.as_bytes()).build()),
            )
            .build()])
        .build()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0)
}

async fn converse(
    shared: &Shared,
    id: u64,
    socket: &mut WebSocket,
    wire: &mut Wire,
    queued: &mut mpsc::UnboundedReceiver<Command>,
) -> anyhow::Result<()> {
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Binary(data))) => {
                    for node in wire.open(&data)? {
                        for answer in answer(shared, id, &node) {
                            socket.send(Message::Binary(wire.seal(&answer)?.into())).await?;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None => return Ok(()),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error.into()),
            },
            command = queued.recv() => match command {
                Some(Command::Send(node)) => {
                    socket.send(Message::Binary(wire.seal(&node)?.into())).await?;
                }
                Some(Command::Close) | None => {
                    let _ = socket.send(Message::Close(None)).await;
                    return Ok(());
                }
            },
        }
    }
}

/// A group query of a linked device, answered from the server's groups; the change it made
/// is told to the other members' connections as a `w:gp2` notification.
fn group_query(shared: &Shared, id: u64, node: &Node) -> Vec<Node> {
    let to = attr(node, "to").unwrap_or_default();
    let answer = NodeBuilder::new("iq")
        .attr("from", to.as_str())
        .attr("id", attr(node, "id").unwrap_or_default());
    let mut registry = shared.registry();
    let me = match registry.connections.get(&id).map(|c| &c.role) {
        Some(Role::Linked { number }) => format!("{number}@s.whatsapp.net"),
        _ => return Vec::new(),
    };
    let Some(query) = node.children().and_then(|children| children.first()) else {
        return Vec::new();
    };
    let (result, notice) = registry.groups.answer(&me, &to, query, unix_now());
    if let Some(notice) = notice {
        tell_members(&registry, &notice);
    }
    vec![match result {
        Ok(children) => answer.attr("type", "result").children(children).build(),
        Err(code) => answer
            .attr("type", "error")
            .children([NodeBuilder::new("error")
                .attr("code", code.to_string())
                .attr(
                    "text",
                    if code == 404 {
                        "item-not-found"
                    } else {
                        "forbidden"
                    },
                )
                .build()])
            .build(),
    }]
}

/// Sends a group change to the connections of the members other than the one who made it.
fn tell_members(registry: &Registry, notice: &Notice) {
    let actor = notice.by.split('@').next().unwrap_or_default();
    for member in &notice.members {
        let number = member.split('@').next().unwrap_or_default();
        if number == actor {
            continue;
        }
        for connection in registry.linked_to(number) {
            connection.send(
                NodeBuilder::new("notification")
                    .attr("from", notice.group.as_str())
                    .attr("type", "w:gp2")
                    .attr("id", format!("gp2-{}", unix_now()))
                    .attr("participant", notice.by.as_str())
                    .attr("t", unix_now().to_string())
                    .children([notice.change.clone()])
                    .build(),
            );
        }
    }
}

/// An app state query answered with every collection asked for, unchanged since the
/// version the client holds: an account with nothing to sync.
fn app_state_unchanged(sync: &Node) -> Node {
    let collections = sync
        .get_children_by_tag("collection")
        .map(|collection| {
            NodeBuilder::new("collection")
                .attr("name", attr(collection, "name").unwrap_or_default())
                .attr(
                    "version",
                    attr(collection, "version").unwrap_or_else(|| "0".to_owned()),
                )
                .build()
        })
        .collect::<Vec<_>>();
    NodeBuilder::new("sync").children(collections).build()
}

fn attr(node: &Node, key: &str) -> Option<String> {
    node.attrs()
        .optional_string(key)
        .map(|value| value.into_owned())
}

/// What the server says to a node from the client: every query is answered (keepalive
/// pings included), leaving passive mode is followed by the end of the (empty) offline
/// queue, app state is reported in sync, and a companion's signed identity completes its
/// scan.
fn answer(shared: &Shared, id: u64, node: &Node) -> Vec<Node> {
    if node.tag != "iq" {
        return Vec::new();
    }
    match attr(node, "type").as_deref() {
        Some("get" | "set") if attr(node, "xmlns").as_deref() == Some("w:g2") => {
            group_query(shared, id, node)
        }
        Some("get" | "set") => {
            let result = NodeBuilder::new("iq")
                .attr("from", SERVER)
                .attr("type", "result")
                .attr("id", attr(node, "id").unwrap_or_default());
            let result = match node.get_optional_child("sync") {
                Some(sync) => result.children([app_state_unchanged(sync)]),
                None => result,
            };
            let mut answers = vec![result.build()];
            if node.get_optional_child("active").is_some() {
                answers.push(
                    NodeBuilder::new("ib")
                        .attr("from", SERVER)
                        .children([NodeBuilder::new("offline").attr("count", "0").build()])
                        .build(),
                );
            }
            answers
        }
        Some("result") if node.get_optional_child("pair-device-sign").is_some() => {
            let mut registry = shared.registry();
            if let Some(Connection {
                role: Role::Unlinked { signed, .. },
                ..
            }) = registry.connections.get_mut(&id)
                && let Some(signed) = signed.take()
            {
                let _ = signed.send(());
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
