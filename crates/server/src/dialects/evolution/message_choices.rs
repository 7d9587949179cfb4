//! Evolution's bodies of the sends that offer choices — polls, lists and buttons — as the
//! services' requests: a list or reply buttons become an interactive message, a single
//! link button a call to action. What wagate does not send (copy, call and PIX buttons,
//! several links) is Evolution's 501, said plainly rather than sent as something else.

use super::error::{EvoError, EvoResult};
use super::message_bodies::{Options, base};
use super::route::{integer, missing, required};
use crate::services::{
    ButtonInput, CtaInput, InteractiveInput, ListInput, ListRowInput, ListSectionInput, PollInput,
    SendRequest,
};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollBody {
    #[serde(flatten)]
    pub options: Options,
    pub name: Option<String>,
    pub selectable_count: Option<Value>,
    pub values: Option<Vec<String>>,
}

/// `sendPoll`. A `selectableCount` of 0 is Baileys' "as many as you like": every option.
pub fn poll(body: PollBody) -> EvoResult<SendRequest> {
    let name = body.name.clone().ok_or_else(|| missing("name"))?;
    let values = body.values.clone().ok_or_else(|| missing("values"))?;
    let count = integer(body.selectable_count.as_ref(), "selectableCount")?
        .ok_or_else(|| missing("selectableCount"))?;
    let count = match count {
        0 => values.len() as u32,
        count => u32::try_from(count).map_err(|_| {
            EvoError::bad_request("selectableCount must be between 0 and the number of values")
        })?,
    };
    Ok(SendRequest {
        poll: Some(PollInput {
            name: Some(name),
            values: Some(values),
            selectable_count: Some(count),
        }),
        ..base(body.options, true)?
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListBody {
    #[serde(flatten)]
    pub options: Options,
    pub title: Option<String>,
    pub description: Option<String>,
    pub footer_text: Option<String>,
    pub button_text: Option<String>,
    pub sections: Option<Vec<EvoSection>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct EvoSection {
    pub title: Option<String>,
    pub rows: Option<Vec<EvoRow>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvoRow {
    pub title: Option<String>,
    pub description: Option<String>,
    pub row_id: Option<String>,
}

/// A title over a description, or the title alone as the body when there is no description.
fn header_and_body(title: Option<String>, description: Option<String>) -> (Option<String>, String) {
    match (title, description) {
        (title, Some(description)) if !description.trim().is_empty() => (title, description),
        (Some(title), _) => (None, title),
        (None, _) => (None, String::new()),
    }
}

/// `sendList`: a list message (a button that opens sections of rows).
pub fn list(body: ListBody) -> EvoResult<SendRequest> {
    required(&body.title, "title")?;
    let footer = body
        .footer_text
        .clone()
        .ok_or_else(|| missing("footerText"))?;
    let button = required(&body.button_text, "buttonText")?.to_owned();
    let sections = body.sections.ok_or_else(|| missing("sections"))?;
    let (header, text) = header_and_body(body.title, body.description);
    let sections = sections
        .into_iter()
        .map(|section| ListSectionInput {
            title: section.title,
            rows: section.rows.map(|rows| {
                rows.into_iter()
                    .map(|row| ListRowInput {
                        id: row.row_id,
                        title: row.title,
                        description: row.description,
                    })
                    .collect()
            }),
        })
        .collect();
    Ok(SendRequest {
        interactive: Some(InteractiveInput {
            body: Some(text),
            header,
            footer: Some(footer).filter(|footer| !footer.trim().is_empty()),
            list: Some(ListInput {
                button: Some(button),
                sections: Some(sections),
            }),
            ..InteractiveInput::default()
        }),
        ..base(body.options, true)?
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ButtonsBody {
    #[serde(flatten)]
    pub options: Options,
    pub title: Option<String>,
    pub description: Option<String>,
    pub footer: Option<String>,
    pub buttons: Option<Vec<EvoButton>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvoButton {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub display_text: Option<String>,
    pub id: Option<String>,
    pub url: Option<String>,
}

/// `sendButtons`: up to three reply buttons, or one link button (a call to action). Copy,
/// call and PIX buttons are Evolution's and not wagate's: 501, said plainly. A
/// `thumbnailUrl` is not shown (wagate's interactive messages carry no image header).
pub fn buttons(body: ButtonsBody) -> EvoResult<SendRequest> {
    let buttons = body.buttons.ok_or_else(|| missing("buttons"))?;
    if buttons.is_empty() {
        return Err(EvoError::bad_request("At least one button is required"));
    }
    let mut kinds = Vec::with_capacity(buttons.len());
    for button in &buttons {
        let kind = required(&button.kind, "buttons[].type")?;
        match kind {
            "reply" | "url" => {}
            "copy" | "call" | "pix" => {
                return Err(EvoError::not_implemented(&format!(
                    "sendButtons with a \"{kind}\" button"
                )));
            }
            other => {
                return Err(EvoError::bad_request(format!(
                    "buttons[].type must be one of reply, copy, url, call, pix (not \"{other}\")"
                )));
            }
        }
        kinds.push(kind.to_owned());
    }
    let replies = kinds.iter().filter(|kind| *kind == "reply").count();
    if replies > 0 && replies < kinds.len() {
        return Err(EvoError::bad_request(
            "Reply buttons cannot be mixed with other button types",
        ));
    }
    let (header, text) = header_and_body(body.title, body.description);
    if text.trim().is_empty() {
        return Err(missing("title"));
    }
    let mut interactive = InteractiveInput {
        body: Some(text),
        header,
        footer: body.footer.filter(|footer| !footer.trim().is_empty()),
        ..InteractiveInput::default()
    };
    if replies > 0 {
        interactive.buttons = Some(
            buttons
                .into_iter()
                .map(|button| ButtonInput {
                    id: button.id,
                    title: button.display_text,
                })
                .collect(),
        );
    } else if let [button] = buttons.as_slice() {
        interactive.cta = Some(CtaInput {
            display_text: button.display_text.clone(),
            url: button.url.clone(),
        });
    } else {
        return Err(EvoError::not_implemented(
            "sendButtons with more than one url button",
        ));
    }
    Ok(SendRequest {
        interactive: Some(interactive),
        ..base(body.options, true)?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::evolution::message_bodies::test_support::{read, refused};
    use axum::http::StatusCode;
    use serde_json::json;

    #[test]
    fn reply_buttons_and_one_link_are_sent_and_the_rest_said_plainly() {
        let replies = buttons(read(json!({ "number": "15550002222", "title": "Confirm?", "footer": "Acme", "buttons": [
            { "type": "reply", "displayText": "Yes", "id": "yes" }, { "type": "reply", "displayText": "No", "id": "no" }
        ] }))).unwrap().interactive.unwrap();
        let given = replies.buttons.unwrap();
        assert_eq!(given[1].id.as_deref(), Some("no"));
        assert_eq!(given[1].title.as_deref(), Some("No"));
        assert_eq!(replies.body.as_deref(), Some("Confirm?"));
        let link = buttons(read(json!({ "number": "15550002222", "title": "Order", "description": "Track it", "buttons": [
            { "type": "url", "displayText": "Track", "url": "https://example.com/t/1" }
        ] }))).unwrap().interactive.unwrap();
        assert_eq!(
            link.cta.unwrap().url.as_deref(),
            Some("https://example.com/t/1")
        );
        let pix = json!({ "number": "15550002222", "title": "Pay", "buttons": [{ "type": "pix", "currency": "BRL", "name": "Acme", "keyType": "random", "key": "k" }] });
        let message = refused(buttons(read(pix)), StatusCode::NOT_IMPLEMENTED);
        assert!(message.contains("pix"), "{message}");
        refused(
            buttons(read(
                json!({ "number": "15550002222", "title": "x", "buttons": [
                { "type": "reply", "displayText": "Yes", "id": "yes" }, { "type": "url", "displayText": "Go", "url": "https://x" }
            ] }),
            )),
            StatusCode::BAD_REQUEST,
        );
    }

    #[test]
    fn polls_and_lists_take_evolutions_names() {
        let poll = poll(read(json!({ "number": "15550002222", "name": "Lunch?", "selectableCount": 0, "values": ["Pizza", "Sushi", "Salad"] }))).unwrap().poll.unwrap();
        assert_eq!(poll.selectable_count, Some(3), "0 is any number of options");
        let list = list(read(json!({
            "number": "15550002222", "title": "Menu", "description": "Pick a dish", "footerText": "Open till 10",
            "buttonText": "Open", "sections": [{ "title": "Food", "rows": [{ "title": "Pizza", "rowId": "p" }] }]
        })))
        .unwrap()
        .interactive
        .unwrap();
        assert_eq!(list.header.as_deref(), Some("Menu"));
        assert_eq!(list.body.as_deref(), Some("Pick a dish"));
        let sections = list.list.unwrap().sections.unwrap();
        assert_eq!(
            sections[0].rows.as_ref().unwrap()[0].id.as_deref(),
            Some("p")
        );
    }
}
