// The playground's features in real headless Chromium: gallery, rule reference,
// share links, drafts, embed mode, copy report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serve, launch, open, scenario, paste, value, root } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const pack = (text) => b64url(deflateRawSync(Buffer.from(text, 'utf8')));

test('a gallery case fills the three boxes and is diagnosed', async () => {
  const { page, requests } = await open(context, server.url);
  await page.click('[data-testid="gallery"] summary');
  await page.click('[data-testid="gallery"] a[href="#/case/wrong-port"]');
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  const config = await value(page, 'config');
  assert.match(config, /proxy_pass http:\/\/127\.0\.0\.1:8000;/);
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.origin)), []);
});

test('the rule reference shows a rule from its own documentation', async () => {
  const { page } = await open(context, server.url + '#/rules/BG202', '.reference');
  const doc = page.locator('[data-testid="rule-doc"]');
  await doc.waitFor({ timeout: 10000 });
  const text = await doc.innerText();
  assert.match(text, /BG202/);
  assert.match(text, /What it detects/);
  assert.match(text, /Why it causes a 502/);
});

test('each finding links to its rule page', async () => {
  const { page } = await open(context, server.url + '#/case/wrong-port');
  const card = page.locator('article.finding[data-code="BG202"]');
  await card.waitFor({ timeout: 10000 });
  await card.locator('a.code').click();
  await page.locator('[data-testid="rule-doc"]').waitFor({ timeout: 10000 });
});

test('a share link made outside the page opens with the same diagnosis', async () => {
  const s = await scenario('wrong-port');
  const fragment = `#/share?v=1&c=${pack(s.config)}&l=${pack(s.listeners)}&g=${pack(s.log)}`;
  const { page, requests } = await open(context, server.url + fragment);
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  assert.equal(await value(page, 'log'), s.log);
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.origin)), []);
});

test('a share link made with the CLI opens with the same diagnosis', async () => {
  const dir = path.join(root, 'tests/fixtures/scenarios/wrong-port');
  const cli = path.join(root, 'target/debug/badgateway');
  const link = execFileSync(cli, ['share', '--base', server.url, '--config', path.join(dir, 'nginx-T.txt'),
    '--listeners', path.join(dir, 'listeners.txt'), '--log', path.join(dir, 'error.log')]).toString().trim();
  assert.ok(link.startsWith(server.url + '#/share?v=1&'), link.slice(0, 80));
  const { page } = await open(context, link);
  const card = page.locator('article.finding[data-code="BG202"]');
  await card.waitFor({ timeout: 10000 });
  assert.match(await card.innerText(), /proxy_pass http:\/\/127\.0\.0\.1:3000;/);
});

test('copy fixed file puts the whole fixed config file on the clipboard', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const { page } = await open(context, server.url + '#/case/wrong-port');
  const card = page.locator('article.finding[data-code="BG202"]');
  await card.waitFor({ timeout: 10000 });
  await card.locator('[data-testid="copy-fixed"]').click();
  const text = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(text, /^worker_processes 1;/, 'the file, without the dump header');
  assert.match(text, /proxy_pass http:\/\/127\.0\.0\.1:3000;/);
  assert.doesNotMatch(text, /127\.0\.0\.1:8000/);
});

test('a damaged share link says so instead of failing silently', async () => {
  const { page } = await open(context, server.url + '#/share?v=1&c=@@@');
  const notice = page.locator('.notice');
  await notice.waitFor({ timeout: 10000 });
  assert.match(await notice.innerText(), /could not be opened/);
});

test('a share link whose DEFLATE data is cut, or inflates past 64 MiB, is refused by name', async () => {
  const cut = b64url(deflateRawSync(Buffer.from('server { listen 80; }\n'.repeat(400))).subarray(0, 40));
  const bomb = b64url(deflateRawSync(Buffer.alloc(64 * 1024 * 1024 + 1, 'a')));
  for (const [fragment, key] of [[`#/share?v=1&c=${cut}`, 'c'], [`#/share?v=1&c=${pack('x')}&g=${bomb}`, 'g']]) {
    const { page } = await open(context, server.url + fragment);
    const notice = page.locator('.notice');
    await notice.waitFor({ timeout: 20000 });
    const text = await notice.innerText();
    assert.match(text, /could not be opened/);
    assert.ok(text.includes('`' + key + '` part is damaged'), text);
    await page.close();
  }
});

test('the page makes a share link that round-trips', async () => {
  const s = await scenario('wrong-port');
  const { page } = await open(context, server.url);
  await paste(page, 'config', s.config);
  await paste(page, 'listeners', s.listeners);
  // Let the diagnosis land first: the results column re-renders around the share panel.
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  await page.click('[data-testid="share"] summary');
  await page.locator('[data-testid="share"][open] [data-testid="redact"]').waitFor({ timeout: 10000 });
  await page.click('[data-testid="redact"]'); // off: this link keeps the inputs as they are
  await page.click('[data-testid="make-link"]');
  // The browser compresses asynchronously: the link appears a moment after the click.
  await page.locator('[data-testid="share-link"]').waitFor({ timeout: 10000 });
  const link = await page.$eval('[data-testid="share-link"]', (el) => el.value);
  assert.ok(link.startsWith(server.url + '#/share?v=1&c='), link.slice(0, 80));
  // The browser's compressor writes standard raw DEFLATE: other tools read it too.
  const c = new URL(link).hash.match(/[?&]c=([^&]*)/)[1];
  const raw = inflateRawSync(Buffer.from(c.replace(/-/g, '+').replace(/_/g, '/'), 'base64')).toString('utf8');
  assert.equal(raw, s.config);
  const second = await context.newPage();
  await second.goto(link);
  await second.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  await second.close();
});

test('drafts survive a reload and can be forgotten', async () => {
  const { page } = await open(context, server.url);
  await paste(page, 'config', 'location / { proxy_pass http://127.0.0.1:8000; }\n');
  await page.waitForTimeout(300);
  await page.reload();
  await page.waitForSelector('[data-testid="editor-config"]');
  await page.waitForFunction(() => document.querySelector('#input-config').bgEditor?.view.state.doc.toString().includes('proxy_pass'));
  await page.click('[data-testid="forget"]');
  await page.reload();
  await page.waitForSelector('[data-testid="editor-config"]');
  await page.waitForTimeout(300);
  assert.equal(await value(page, 'config'), '');
});

test('embed mode drops the page chrome and still diagnoses', async () => {
  const s = await scenario('wrong-port');
  const url = server.url + `?embed#/share?v=1&c=${pack(s.config)}&l=${pack(s.listeners)}`;
  const { page } = await open(context, url);
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('header.top').count(), 0);
  assert.equal(await page.locator('[data-testid="gallery"]').count(), 0);
});

test('copy report puts a Markdown report on the clipboard', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const { page } = await open(context, server.url + '#/case/wrong-port');
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  // Redaction is the default: the report quotes placeholders, and its share link says redacted.
  await page.click('[data-testid="copy-report"]');
  await page.locator('[data-testid="copy-report"]', { hasText: 'Copied' }).waitFor({ timeout: 10000 });
  let text = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(text, /## badgateway diagnosis/);
  assert.match(text, /`BG202`/);
  // (Loopback addresses stay: they say nothing about the site.)
  assert.doesNotMatch(text, /badgateway-lab/);
  assert.match(text, /config \/p1\/\S+:22/);
  assert.match(text, /Open these inputs in badgateway, redacted: http:\/\/\S+#\/share\?v=1&\S*redacted=1/);
  // With "Redact first" off (in Share) the report quotes the inputs as they are.
  await page.click('[data-testid="share"] summary');
  await page.click('[data-testid="redact"]');
  await page.locator('[data-testid="copy-report"]', { hasText: 'Copy report' }).waitFor({ timeout: 10000 });
  await page.click('[data-testid="copy-report"]');
  await page.locator('[data-testid="copy-report"]', { hasText: 'Copied' }).waitFor({ timeout: 10000 });
  text = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(text, /\+\s+proxy_pass http:\/\/127\.0\.0\.1:3000;/);
  const link = text.match(/Open these inputs in badgateway: (\S+)/)[1];
  assert.doesNotMatch(link, /redacted=1/);
  const second = await context.newPage();
  await second.goto(link);
  await second.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  await second.close();
});

test('a redacted share link hides addresses and paths and keeps the diagnosis', async () => {
  const s = await scenario('unix-socket-permission');
  const { page } = await open(context, server.url);
  await paste(page, 'config', s.config);
  await paste(page, 'listeners', s.listeners);
  await paste(page, 'log', s.log);
  await page.locator('article.finding[data-code="BG206"]').waitFor({ timeout: 10000 });
  await page.click('[data-testid="share"] summary');
  assert.equal(await page.isChecked('[data-testid="redact"]'), true, 'redaction is the default');
  await page.click('[data-testid="make-link"]');
  // The browser compresses asynchronously: the link appears a moment after the click.
  await page.locator('[data-testid="share-link"]').waitFor({ timeout: 10000 });
  const link = await page.$eval('[data-testid="share-link"]', (el) => el.value);
  assert.match(link, /&redacted=1/);
  const second = await context.newPage();
  await second.goto(link);
  await second.locator('article.finding[data-code="BG206"]').waitFor({ timeout: 10000 });
  const shown = await value(second, 'config')
    + await value(second, 'listeners')
    + await value(second, 'log');
  assert.ok(!shown.includes('badgateway-lab'), 'paths are replaced');
  assert.match(await second.locator('.notice').innerText(), /redacted/);
  await second.close();
});

test('a dropped file fills its box; each box says what it was read as and marks what it did not understand', async () => {
  const s = await scenario('wrong-port');
  const { page } = await open(context, server.url);
  await page.$eval('[data-testid="editor-log"]', (el, text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'error.log', { type: 'text/plain' }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, s.log + 'this line is not from any log we know\n');
  await page.waitForFunction(() => document.querySelector('#input-log').bgEditor.view.state.doc.toString().includes('connect() failed'));
  await paste(page, 'listeners', s.listeners);
  const readAs = page.locator('[data-testid="read-as-log"]');
  await readAs.filter({ hasText: /nginx error log/ }).waitFor({ timeout: 10000 });
  assert.match(await readAs.innerText(), /not understood/);
  const unknown = page.locator('#input-log .bg-unknown-line');
  await unknown.first().waitFor({ timeout: 10000 });
  assert.match(await unknown.first().innerText(), /this line is not from any log we know/, 'the unknown line is marked in its box');
  assert.match(await unknown.first().getAttribute('title'), /Not understood/, 'with the reason on hover');
  assert.match(await page.locator('[data-testid="read-as-listeners"]').innerText(), /ss -tlnp/);
});
