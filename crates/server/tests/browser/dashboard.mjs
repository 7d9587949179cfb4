// Drives the dashboard in headless Chromium against a running wagate, as a person would:
// sign in, create a sandbox instance, watch its QR code rotate, scan it with the simulated
// phone, send a text and see it read, see an inbound message in the live events, create a
// webhook and see its delivery, read the overview and the messages, make a token, and check
// that a second account sees nothing of the first.
// A screenshot of each step goes to the folder given; every request the page makes must go
// to the server under test.
//
// node dashboard.mjs <chromium> <base URL> <account key> <other account key> <receiver URL> <screenshot dir> <admin key>

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [executablePath, base, key, otherKey, receiverUrl, shots, adminKey] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const outside = [];
const errors = [];
let step = 0;

async function shot(page, name) {
  step += 1;
  await page.screenshot({ path: join(shots, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
}

async function signIn(page, withKey) {
  await page.getByLabel("API key").fill(withKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Instances" }).waitFor();
}

const context = await browser.newContext({ viewport: { width: 1200, height: 850 } });
const page = await context.newPage();
try {
  page.on("request", (request) => {
    if (!request.url().startsWith(base) && !request.url().startsWith("data:") && !request.url().startsWith("blob:")) {
      outside.push(request.url());
    }
  });
  page.on("pageerror", (error) => errors.push(error.message));
  // A refused request is logged by the browser too; the page's own errors are what count.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
  });

  // A browser opening / lands on the dashboard; a wrong key is refused with a clear message.
  await page.goto(`${base}/`);
  if (!page.url().endsWith("/dashboard")) throw new Error(`/ led to ${page.url()}`);
  await page.getByLabel("API key").fill("wgk_not_a_key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("That key was refused").waitFor();
  await shot(page, "sign-in-refused");
  await signIn(page, key);
  await page.getByText("No instances yet").waitFor();
  await shot(page, "no-instances");

  // A sandbox instance; its key is shown once.
  await page.getByLabel("Name", { exact: true }).fill("sales");
  await page.getByLabel("Engine").selectOption("sandbox");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByText("Instance key of sales (shown only now)").waitFor();
  await page.locator('tr[data-instance="sales"]').waitFor();
  await shot(page, "instance-created");

  // The QR code appears and is replaced as it rotates (the test server rotates every 2 s).
  await page.locator('tr[data-instance="sales"]').getByRole("link", { name: "Link" }).click();
  const qr = page.getByAltText(/QR code to link sales/);
  await qr.waitFor();
  const first = await qr.getAttribute("data-code");
  await page.waitForFunction((code) => {
    const image = document.querySelector("img[data-code]");
    return image && !image.hidden && image.dataset.code !== code;
  }, first, { timeout: 15000 });
  await page.getByText(/This code expires in \d+ s/).waitFor();
  await shot(page, "qr-code");

  // The simulated phone scans it: the page says connected, from the event stream.
  await page.getByRole("button", { name: "Scan with the simulated phone" }).click();
  await page.getByText("Connected as +15550001111").waitFor();
  await shot(page, "connected");

  // A text goes out and is followed to read.
  await page.getByRole("link", { name: "Send a test message" }).click();
  await page.getByLabel("To", { exact: true }).fill("+1 555 000 2222");
  await page.getByLabel("Text", { exact: true }).fill("Hello from the dashboard");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator("[data-message] .status", { hasText: "read" }).first().waitFor({ timeout: 20000 });
  await shot(page, "sent-and-read");
  // A location too.
  await page.getByLabel("Type").selectOption("location");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator("[data-message]", { hasText: "location to 15550002222" }).locator(".status", { hasText: "read" })
    .first().waitFor({ timeout: 20000 });

  // Someone writes to the number: the message appears in the live events.
  await page.getByRole("link", { name: "Events" }).click();
  await page.getByText("live", { exact: true }).waitFor();
  const inbound = await fetch(`${base}/api/v1/sandbox/instances/sales/inbound`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ from: "15550003333", pushName: "Bob", text: "Hi, is the shop open?" }),
  });
  if (inbound.status !== 202) throw new Error(`the simulated inbound answered ${inbound.status}`);
  const received = page.locator('li[data-event="message.received"]');
  await received.waitFor();
  await received.locator("summary").click();
  await received.getByText("Hi, is the shop open?").waitFor();
  await shot(page, "live-events");

  // A webhook: the secret is shown once, a test event reaches the receiver and is logged.
  await page.getByRole("link", { name: "Webhooks" }).click();
  await page.getByText("No webhooks").waitFor();
  await page.getByText("No broker sinks are enabled.").waitFor();
  // A URL the server refuses is said so, field and reason, and nothing is created.
  await page.getByLabel("URL", { exact: true }).fill("ftp://127.0.0.1/hook");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("alert").filter({ hasText: /url/i }).waitFor();
  await shot(page, "webhook-refused");
  await page.getByLabel("URL", { exact: true }).fill(receiverUrl);
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByText("Signing secret (shown only now)").waitFor();
  await page.getByRole("link", { name: "Open its delivery log" }).click();
  await page.getByRole("button", { name: "Send a test event" }).click();
  for (let tries = 0; ; tries += 1) {
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByRole("heading", { name: "Deliveries" }).waitFor();
    if (await page.locator("tr[data-delivery] .status", { hasText: "succeeded" }).count()) break;
    if (tries > 30) throw new Error("no delivery succeeded");
  }
  await shot(page, "webhook-deliveries");

  // The overview counts what happened; the message list and a new token are one click away.
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByText(/1 of 1 instances connected · 0 sends queued now · 1 webhooks, 0 deliveries waiting/).waitFor();
  await shot(page, "overview");
  await page.getByRole("link", { name: "Messages" }).click();
  await page.getByRole("cell", { name: "Hello from the dashboard" }).waitFor();
  await page.getByRole("cell", { name: "Hi, is the shop open?" }).waitFor();
  await page.getByRole("link", { name: "Keys" }).click();
  await page.getByLabel("New token: what it is for").fill("CI deploys");
  await page.getByRole("button", { name: "Create" }).first().click();
  await page.getByText("New key (shown only now)").waitFor();
  const salesKeys = page.locator('[data-keys-of="sales"]');
  await salesKeys.getByLabel("New key for sales").fill("front desk");
  await salesKeys.getByRole("button", { name: "Create" }).click();
  await salesKeys.getByText("New key (shown only now)").waitFor();
  await shot(page, "keys");

  // A second account sees none of the first's instances.
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, otherKey);
  await page.getByText("No instances yet").waitFor();
  if (await page.locator('tr[data-instance="sales"]').count()) throw new Error("another account's instance is shown");
  await shot(page, "other-account");

  // The admin sees the accounts, changes a plan and makes an account.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("API key").fill(adminKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Accounts" }).waitFor();
  await page.getByLabel("Plan of Other").selectOption("pro");
  await page.getByText("Other is on pro now").waitFor();
  await page.getByLabel("Name", { exact: true }).fill("Third");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByText("Key of Third (shown only now)").waitFor();
  await page.locator('tr[data-account="Third"]').waitFor();
  await shot(page, "accounts");

  // Narrow screens get the same page.
  await page.setViewportSize({ width: 390, height: 800 });
  await shot(page, "phone");

  if (errors.length) throw new Error(`the page reported errors: ${[...new Set(errors)].slice(0, 5).join(" | ")}`);
  if (outside.length) throw new Error(`the page reached outside the server: ${outside.join(", ")}`);
  console.log(`dashboard: ok, ${step} screenshots`);
} catch (error) {
  await page.screenshot({ path: join(shots, "failure.png"), fullPage: true }).catch(() => {});
  console.error(`page errors: ${[...new Set(errors)].slice(0, 5).join(" | ")}`);
  throw error;
} finally {
  await browser.close();
}
