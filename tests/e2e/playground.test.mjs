// The playground in real headless Chromium: paste the three inputs of a real capture
// and see the diagnosis, its evidence and its fix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, scenario, paste, value, selected, caret } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

test('wrong-port capture: BG202 with evidence from all three inputs and the port 3000 fix', async () => {
  const { page, requests, errors } = await open(context, server.url);
  const s = await scenario('wrong-port');
  await paste(page, 'config', s.config);
  await paste(page, 'listeners', s.listeners);
  await paste(page, 'log', s.log);
  const card = page.locator('article.finding[data-code="BG202"]');
  // Diagnosis follows typing: wait for the one that has seen all three pastes.
  await card.locator('.evidence .jump', { hasText: /^log/ }).first().waitFor({ timeout: 10000 });
  const text = await card.innerText();
  assert.match(text, /BG202/);
  assert.match(text, /proxy_pass http:\/\/127\.0\.0\.1:3000;/, 'the fix rewrites proxy_pass to port 3000');
  const evidence = await card.locator('.evidence .jump').allInnerTexts();
  for (const input of ['config', 'listeners', 'log']) {
    assert.ok(evidence.some((e) => e.startsWith(input)), `evidence from ${input}: ${evidence.join(' | ')}`);
  }
  // Nothing but the page's own origin was contacted.
  const foreign = requests.filter((u) => !u.startsWith(server.origin));
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
});

test('up to the first diagnosis the page fetches only the kinds of file the page weight counts', async () => {
  const { page, requests } = await open(context, server.url);
  await page.waitForSelector('html[data-worker="ready"]', { timeout: 10000 });
  const s = await scenario('wrong-port');
  await paste(page, 'config', s.config);
  await paste(page, 'listeners', s.listeners);
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  // scripts/size-report.sh adds up the html, js, wasm, css and svg files of dist/; rules.json
  // and the gallery's cases/ load only when a rule page or the gallery is opened.
  const fetched = requests.map((u) => new URL(u).pathname).filter((p) => !/\.(html|js|wasm|css|svg)$|\/$/.test(p));
  assert.deepEqual(fetched, []);
});

test('diagnosis keeps working with the network cut after load', async () => {
  const { page } = await open(context, server.url);
  // The worker loads its module after the page; cut the network once it has.
  await page.waitForSelector('html[data-worker="ready"]', { timeout: 10000 });
  await context.setOffline(true);
  try {
    const s = await scenario('wrong-port');
    await paste(page, 'config', s.config);
    await paste(page, 'listeners', s.listeners);
    await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
    // Editing the listeners so port 8000 is served makes the finding go away.
    await paste(page, 'listeners', s.listeners.replace('127.0.0.1:3000 ', '127.0.0.1:8000 '));
    await page.locator('article.finding[data-code="BG202"]').waitFor({ state: 'detached', timeout: 10000 });
  } finally {
    await context.setOffline(false);
  }
});

test('clicking evidence selects that line in its box', async () => {
  const { page } = await open(context, server.url);
  const s = await scenario('wrong-port');
  await paste(page, 'config', s.config);
  await paste(page, 'listeners', s.listeners);
  await paste(page, 'log', s.log);
  const card = page.locator('article.finding[data-code="BG202"]');
  await card.waitFor({ timeout: 10000 });
  await card.locator('.evidence .jump', { hasText: /^config/ }).first().click();
  assert.equal(await selected(page, 'config'), '8000', 'the primary span, the port nginx connects to, is selected');
});

test('pasted markup is shown as text, never run', async () => {
  const { page, errors } = await open(context, server.url);
  await page.evaluate(() => { window.__pwned = false; });
  const evil = 'server { location / { proxy_pass http://<img src=x onerror="window.__pwned=true">:8000; } }\n<script>window.__pwned=true</script>';
  await paste(page, 'config', evil);
  await paste(page, 'log', '2026/11/21 11:33:33 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: <script>window.__pwned=true</script>, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8000/", host: "x"\n');
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.__pwned), false);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.deepEqual(errors.filter((e) => !/Content Security Policy/.test(e)), []);
  // The second line of defence: the built page carries its strict policy (scripts/csp.py).
  const policy = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
});

test('typing in the middle of a box keeps the caret and every keystroke, small or large', async () => {
  const { page } = await open(context, server.url);
  for (const [label, filler] of [['small', ''], ['large', '# padding line to make the box large\n'.repeat(8000)]]) {
    const start = 'location / { proxy_pass http://127.0.0.1:80; }\n';
    await paste(page, 'config', start + filler);
    await caret(page, 'config', start.indexOf(':80') + 3);
    await page.keyboard.type('00', { delay: 30 });
    await page.waitForTimeout(400);
    const text = await value(page, 'config');
    assert.ok(text.startsWith('location / { proxy_pass http://127.0.0.1:8000; }\n'), `${label}: ${text.slice(0, 60)}`);
    assert.equal(text.length, start.length + filler.length + 2, label);
  }
});

test('findings are marked in place: exact columns (after non-ASCII text), tooltip on hover and at the caret, mark -> card', async () => {
  const { page } = await open(context, server.url);
  const s = await scenario('wrong-port');
  // Non-ASCII before the span on its line and on earlier lines: bytes and UTF-16 differ.
  const config = s.config.replace('proxy_pass http://127.0.0.1:8000;', 'proxy_pass http://127.0.0.1:8000; # naïve 😀 ü')
    .replace('worker_processes 1;', 'worker_processes 1; # ünïcödé 😀');
  await paste(page, 'config', config);
  await paste(page, 'listeners', s.listeners);
  await paste(page, 'log', s.log);
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  const mark = page.locator('#input-config .bg-mark.bg-primary').first();
  await mark.waitFor({ timeout: 10000 });
  assert.equal(await mark.innerText(), '8000', 'the underline covers exactly the port');
  assert.ok(await page.locator('#input-config .cm-lint-marker-error').count() >= 1, 'a gutter mark with the severity');
  // Hover: the title and the fix's summary.
  await mark.hover();
  const tip = page.locator('.cm-tooltip .bg-tip').first();
  await tip.waitFor({ timeout: 5000 });
  const tipText = await tip.innerText();
  assert.match(tipText, /BG202/);
  assert.match(tipText, /Fix:/);
  await page.mouse.move(0, 0);
  // Keyboard: the caret inside the mark shows the same.
  const at = config.indexOf('127.0.0.1:8000;') + 11;
  await caret(page, 'config', at);
  await page.locator('.bg-caret-tip .bg-tip').first().waitFor({ timeout: 5000 });
  // Clicking the gutter mark focuses the finding's card.
  await page.locator('#input-config .cm-gutter-lint .cm-lint-marker-error').first().click();
  await page.waitForFunction(() => document.activeElement?.matches('article.finding'));
  assert.equal(await page.evaluate(() => document.activeElement.dataset.code), 'BG202');
});

test('an nginx -T dump numbers its lines as nginx does: file:line in the gutter', async () => {
  const { page } = await open(context, server.url);
  const s = await scenario('wrong-port');
  await paste(page, 'config', s.config);
  await page.locator('#input-config .cm-lineNumbers .cm-gutterElement', { hasText: /nginx\.conf:\d+/ }).first().waitFor({ timeout: 10000 });
  const labels = await page.locator('#input-config .cm-lineNumbers .cm-gutterElement').allInnerTexts();
  assert.ok(labels.includes('nginx.conf:1'), labels.slice(0, 8).join(' | '));
});

test('on a 390x844 phone the diagnosis comes first: the first finding is in view without scrolling', async () => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(server.url + '#/case/wrong-port');
  const card = page.locator('article.finding').first();
  await card.waitFor({ timeout: 10000 });
  const box = await card.boundingBox();
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  assert.ok(box.y < 844 - 40, `the first card starts at ${box.y}px, inside the 844px screen`);
  await page.close();
});
