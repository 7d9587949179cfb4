"""Drives a wagate server with Evolution API clients from PyPI, unchanged: the base URL and
the key are all they are given.

- ``evolutionapi`` (by Evolution API's author): creates the instance with its first QR
  code, reads the connection state, sends a text and a multipart image, lists instances.
- ``evolution-whatsapp``: sends a text and a base64 document, checks a number.
- ``pyevolutionapi``: sets and reads the instance's webhook, lists instances.

The only step no client has is scanning the QR code: the sandbox's phone does that here.
Prints one JSON object of what was sent; any refusal or unexpected answer ends it with a
traceback and a non-zero exit.

Usage: evolution_clients.py BASE_URL ACCOUNT_KEY RECEIVER_URL IMAGE_PATH
"""

import base64
import json
import sys
import warnings

import requests

from evolutionapi.client import EvolutionClient
from evolutionapi.models.instance import InstanceConfig
from evolutionapi.models.message import MediaMessage, TextMessage
from evolution_api import EvoClient
from pyevolutionapi import EvolutionClient as PyEvolutionClient
from pyevolutionapi.models.webhook import WebhookConfig

base, key, receiver, image = sys.argv[1:5]
NAME = "py-sales"
CUSTOMER = "15550002222"


def check(condition, what, answer):
    if not condition:
        raise AssertionError(f"{what}: {json.dumps(answer, default=str)}")


official = EvolutionClient(base_url=base, api_token=key)
created = official.instances.create_instance(
    InstanceConfig(instanceName=NAME, integration="WHATSAPP-BAILEYS", qrcode=True)
)
check(created.get("instance", {}).get("instanceName") == NAME, "create", created)
token = created["hash"]
code = created["qrcode"]["code"]
check(code and created["qrcode"]["base64"].startswith("data:image/png;base64,"), "QR", created)

connect = official.instance_operations.connect(NAME, token)
check(connect.get("code") == code, "connect shows the same QR code", connect)

# The sandbox's phone scans the QR code (a person would, on a real phone).
scanned = requests.post(
    f"{base}/api/v1/sandbox/link",
    json={"code": code, "phone": "15550001111"},
    headers={"Authorization": f"Bearer {key}"},
    timeout=30,
)
scanned.raise_for_status()

state = official.instance_operations.get_connection_state(NAME, token)
check(state["instance"]["state"] == "open", "connectionState", state)

# pyevolutionapi's WebhookConfig keeps its URL as an HttpUrl, which its own JSON encoding
# cannot write; the config is built unvalidated so the URL stays text.
warnings.filterwarnings("ignore", message="Pydantic serializer warnings")
py = PyEvolutionClient(base_url=base, api_key=key)
webhook = WebhookConfig.model_construct(
    enabled=True,
    url=receiver,
    webhook_by_events=False,
    webhook_base64=False,
    headers={"X-Receiver": "python"},
    events=["SEND_MESSAGE", "MESSAGES_UPDATE"],
)
py.webhook.set_webhook(NAME, webhook)
found = py.webhook.find_webhook(NAME)
found_raw = py.request("GET", f"/webhook/find/{NAME}").json()
check(found_raw["url"] == receiver and found_raw["enabled"], "find webhook", found_raw)
check(found is not None, "find webhook parsed", found_raw)

text = official.messages.send_text(
    NAME, TextMessage(number=CUSTOMER, text="Hello from evolutionapi"), token
)
check(text["key"]["fromMe"] is True and text["status"] == "PENDING", "sendText", text)
check(text["message"]["conversation"] == "Hello from evolutionapi", "sendText body", text)

photo = official.messages.send_media(
    NAME,
    MediaMessage(
        number=CUSTOMER,
        mediatype="image",
        mimetype="image/png",
        caption="A photo by multipart",
        fileName="photo.png",
    ),
    token,
    file=image,
)
check(photo.get("messageType") == "imageMessage", "multipart sendMedia", photo)

twin = EvoClient(base_url=base, api_key=token, instance=NAME)
second = twin.send_text(CUSTOMER, "Hello from evolution-whatsapp", delay=300)
check(second["key"]["remoteJid"] == f"{CUSTOMER}@s.whatsapp.net", "sendText (twin)", second)
with open(image, "rb") as file:
    inline = base64.b64encode(file.read()).decode()
document = twin.send_media(
    CUSTOMER, "document", "image/png", inline, "scan.png", caption="A scan as base64"
)
check(document.get("messageType") == "documentMessage", "base64 sendMedia", document)
numbers = twin.check_is_whatsapp([CUSTOMER])
check(isinstance(numbers, list) and numbers[0]["jid"] == f"{CUSTOMER}@s.whatsapp.net", "numbers", numbers)

listed = official.instances.fetch_instances()
mine = [item for item in listed if item["name"] == NAME]
check(len(mine) == 1 and mine[0]["connectionStatus"] == "open", "fetchInstances", listed)
typed = py.instance.fetch_instances(instance_name=NAME)
# Its model reads `instanceName`, which Evolution's listing does not have: `name` falls back
# to the id.
instance_id = created["instance"]["instanceId"]
check(len(typed) == 1 and typed[0].id == instance_id, "fetchInstances (typed)", [t.model_dump() for t in typed])

print(json.dumps({
    "token": token,
    "sent": [text["key"]["id"], photo["key"]["id"], second["key"]["id"], document["key"]["id"]],
}))
