//! Groups as WhatsApp's server keeps them, for the group queries (`xmlns="w:g2"`) of linked
//! devices: create, read, list, subject, settings, members and leaving, with the server's
//! answers (the `<group>` node, per-participant codes, 403 for non-admins, 404 for groups the
//! number is not in). Numbers ending in `0000` have no WhatsApp account, as in the sandbox.

use std::collections::HashMap;
use whatsapp_rust::NodeBuilder;
use whatsapp_rust::wacore_binary::Node;

struct Group {
    subject: String,
    creator: String,
    created: u64,
    /// Member address → `member`, `admin` or `superadmin`.
    members: Vec<(String, &'static str)>,
    locked: bool,
    announce: bool,
    ephemeral: u32,
}

impl Group {
    fn role(&self, member: &str) -> Option<&'static str> {
        self.members
            .iter()
            .find(|(jid, _)| jid == member)
            .map(|(_, role)| *role)
    }

    fn node(&self, jid: &str) -> Node {
        let mut children: Vec<Node> = self
            .members
            .iter()
            .map(|(member, role)| {
                let participant = NodeBuilder::new("participant").attr("jid", member.as_str());
                if *role == "member" {
                    participant.build()
                } else {
                    participant.attr("type", *role).build()
                }
            })
            .collect();
        if self.locked {
            children.push(NodeBuilder::new("locked").build());
        }
        if self.announce {
            children.push(NodeBuilder::new("announcement").build());
        }
        if self.ephemeral > 0 {
            children.push(
                NodeBuilder::new("ephemeral")
                    .attr("expiration", self.ephemeral.to_string())
                    .build(),
            );
        }
        NodeBuilder::new("group")
            .attr("id", jid)
            .attr("subject", self.subject.as_str())
            .attr("addressing_mode", "pn")
            .attr("creator", self.creator.as_str())
            .attr("creation", self.created.to_string())
            .attr("size", self.members.len().to_string())
            .children(children)
            .build()
    }
}

/// A change to tell the other members about, as a `w:gp2` notification child.
pub(crate) struct Notice {
    pub(crate) group: String,
    pub(crate) by: String,
    pub(crate) change: Node,
    pub(crate) members: Vec<String>,
}

#[derive(Default)]
pub(crate) struct Groups {
    groups: HashMap<String, Group>,
    created: u64,
}

/// What answering a group query gives: the answer's content or an error code, and perhaps
/// a change to tell the other members.
pub(crate) type Answer = (Result<Vec<Node>, u16>, Option<Notice>);

fn on_whatsapp(jid: &str) -> bool {
    !jid.split('@').next().unwrap_or_default().ends_with("0000")
}

fn attr(node: &Node, key: &str) -> Option<String> {
    node.attrs()
        .optional_string(key)
        .map(|value| value.into_owned())
}

fn participants(node: &Node) -> Vec<String> {
    node.get_children_by_tag("participant")
        .filter_map(|participant| attr(participant, "jid"))
        .collect()
}

impl Groups {
    /// Answers a `w:g2` query from `me` (the number's address) sent to `to`.
    pub(crate) fn answer(&mut self, me: &str, to: &str, query: &Node, now: u64) -> Answer {
        let tag = query.tag.as_ref();
        if to == "g.us" {
            return match tag {
                "create" => self.create(me, query, now),
                "participating" => (Ok(vec![self.participating(me)]), None),
                _ => (Err(501), None),
            };
        }
        let Some(group) = self.groups.get_mut(to) else {
            return (Err(404), None);
        };
        let Some(my_role) = group.role(me) else {
            return (Err(404), None);
        };
        let admin = my_role != "member";
        let notice = |change: Node, members: Vec<String>| {
            Some(Notice {
                group: to.to_owned(),
                by: me.to_owned(),
                change,
                members,
            })
        };
        match tag {
            "query" => (Ok(vec![group.node(to)]), None),
            "subject" => {
                if group.locked && !admin {
                    return (Err(403), None);
                }
                group.subject = query
                    .content_as_string()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                let change = NodeBuilder::new("subject")
                    .attr("subject", group.subject.as_str())
                    .build();
                let members = group.members.iter().map(|(m, _)| m.clone()).collect();
                (Ok(Vec::new()), notice(change, members))
            }
            "locked" | "unlocked" | "announcement" | "not_announcement" | "ephemeral"
            | "not_ephemeral" => {
                if !admin {
                    return (Err(403), None);
                }
                match tag {
                    "locked" => group.locked = true,
                    "unlocked" => group.locked = false,
                    "announcement" => group.announce = true,
                    "not_announcement" => group.announce = false,
                    "ephemeral" => {
                        group.ephemeral = attr(query, "expiration")
                            .and_then(|e| e.parse().ok())
                            .unwrap_or(0)
                    }
                    _ => group.ephemeral = 0,
                }
                let members = group.members.iter().map(|(m, _)| m.clone()).collect();
                (Ok(Vec::new()), notice(query.clone(), members))
            }
            "add" | "remove" | "promote" | "demote" => {
                if !admin {
                    return (Err(403), None);
                }
                let before: Vec<String> = group.members.iter().map(|(m, _)| m.clone()).collect();
                let mut results = Vec::new();
                let mut changed = Vec::new();
                for jid in participants(query) {
                    let position = group.members.iter().position(|(m, _)| *m == jid);
                    let error = match (tag, position) {
                        ("add", Some(_)) => Some("409"),
                        ("add", None) if !on_whatsapp(&jid) => Some("404"),
                        ("add", None) => {
                            group.members.push((jid.clone(), "member"));
                            None
                        }
                        (_, None) => Some("404"),
                        (_, Some(at)) if group.members[at].1 == "superadmin" && jid != me => {
                            Some("403")
                        }
                        ("remove", Some(at)) => {
                            group.members.remove(at);
                            None
                        }
                        ("promote", Some(at)) => {
                            group.members[at].1 = "admin";
                            None
                        }
                        (_, Some(at)) => {
                            group.members[at].1 = "member";
                            None
                        }
                    };
                    let result = NodeBuilder::new("participant").attr("jid", jid.as_str());
                    results.push(match error {
                        Some(code) => result.attr("error", code).build(),
                        None => {
                            changed.push(jid.clone());
                            result.build()
                        }
                    });
                }
                let answer = NodeBuilder::new(match tag {
                    "add" => "add",
                    "remove" => "remove",
                    "promote" => "promote",
                    _ => "demote",
                })
                .children(results)
                .build();
                let change = (!changed.is_empty()).then(|| {
                    let told = before
                        .into_iter()
                        .chain(changed.iter().cloned())
                        .collect::<Vec<_>>();
                    let node = NodeBuilder::new(match tag {
                        "add" => "add",
                        "remove" => "remove",
                        "promote" => "promote",
                        _ => "demote",
                    })
                    .children(changed.iter().map(|jid| {
                        NodeBuilder::new("participant")
                            .attr("jid", jid.as_str())
                            .build()
                    }))
                    .build();
                    (node, told)
                });
                match change {
                    Some((node, told)) => (Ok(vec![answer]), notice(node, told)),
                    None => (Ok(vec![answer]), None),
                }
            }
            _ => (Err(501), None),
        }
    }

    fn create(&mut self, me: &str, query: &Node, now: u64) -> Answer {
        self.created += 1;
        let jid = format!(
            "120363{:012}@g.us",
            now % 1_000_000 * 1_000_000 + self.created
        );
        let mut members = vec![(me.to_owned(), "superadmin")];
        for member in participants(query) {
            if on_whatsapp(&member) && !members.iter().any(|(m, _)| *m == member) {
                members.push((member, "member"));
            }
        }
        let group = Group {
            subject: attr(query, "subject").unwrap_or_default(),
            creator: me.to_owned(),
            created: now,
            members,
            locked: false,
            announce: false,
            ephemeral: 0,
        };
        let node = group.node(&jid);
        let told = group.members.iter().map(|(m, _)| m.clone()).collect();
        let change = NodeBuilder::new("create").children([node.clone()]).build();
        self.groups.insert(jid.clone(), group);
        (
            Ok(vec![node]),
            Some(Notice {
                group: jid,
                by: me.to_owned(),
                change,
                members: told,
            }),
        )
    }

    fn participating(&self, me: &str) -> Node {
        NodeBuilder::new("groups")
            .children(
                self.groups
                    .iter()
                    .filter(|(_, group)| group.role(me).is_some())
                    .map(|(jid, group)| group.node(jid)),
            )
            .build()
    }
}
