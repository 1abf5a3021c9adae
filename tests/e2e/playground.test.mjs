// The playground in real headless Chromium: paste the three inputs of a real capture
// and see the diagnosis, its evidence and its fix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, scenario, paste } from './harness.mjs';

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
  const selected = await page.$eval('[data-testid="textarea-config"]', (el) => el.value.slice(el.selectionStart, el.selectionEnd));
  assert.equal(selected, '8000', 'the primary span, the port nginx connects to, is selected');
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
    const at = start.indexOf(':80') + 3;
    await page.$eval('[data-testid="textarea-config"]', (el, at) => { el.focus(); el.setSelectionRange(at, at); }, at);
    await page.keyboard.type('00', { delay: 30 });
    await page.waitForTimeout(400);
    const value = await page.$eval('[data-testid="textarea-config"]', (el) => el.value);
    assert.ok(value.startsWith('location / { proxy_pass http://127.0.0.1:8000; }\n'), `${label}: ${value.slice(0, 60)}`);
    assert.equal(value.length, start.length + filler.length + 2, label);
  }
});

test('the gutter numbers the lines in view, wherever the box is scrolled', async () => {
  const { page } = await open(context, server.url);
  const lines = Array.from({ length: 5000 }, (_, i) => `# line ${i + 1}`).join('\n');
  await paste(page, 'log', lines);
  const gutter = page.locator('[data-testid="textarea-log"]').locator('xpath=preceding-sibling::pre[contains(@class,"gutter")]');
  await page.waitForFunction(() => document.querySelector('#input-log').parentElement.querySelector('.gutter').textContent.startsWith('1\n'));
  // Scroll to the middle of line 2,501 (7 px into it): the gutter starts at 2,501 and is
  // shifted up by those 7 px, so each number sits beside its line.
  await page.$eval('[data-testid="textarea-log"]', (el) => { el.scrollTop = 2500 * 20 + 7; });
  await page.waitForFunction(() => document.querySelector('#input-log').parentElement.querySelector('.gutter').textContent.startsWith('2501\n'));
  const { text, transform, top, lineAtTop } = await gutter.evaluate((g) => {
    const area = g.parentElement.querySelector('textarea');
    return { text: g.textContent, transform: g.style.transform, top: area.scrollTop, lineAtTop: area.value.split('\n')[Math.floor(area.scrollTop / 20)] };
  });
  assert.equal(top, 2500 * 20 + 7, 'the box scrolled as far as asked');
  assert.equal(lineAtTop, '# line 2501');
  assert.equal(transform, 'translateY(-7px)');
  const numbers = text.trimEnd().split('\n').map(Number);
  assert.ok(numbers.length < 200, `a screenful of numbers, not all 5,000: ${numbers.length}`);
  assert.deepEqual(numbers.slice(0, 3), [2501, 2502, 2503]);
  // Scrolled to the end: the last number is the last line's.
  await page.$eval('[data-testid="textarea-log"]', (el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => document.querySelector('#input-log').parentElement.querySelector('.gutter').textContent.trimEnd().endsWith('\n5000'));
});

test('each box is a form of its own, so autofill never reads the other boxes while one is typed in', async () => {
  const { page } = await open(context, server.url);
  const forms = await page.$$eval('textarea', (areas) => areas.map((a) => a.form && [...a.form.elements].filter((e) => e.tagName === 'TEXTAREA').length));
  assert.deepEqual(forms, [1, 1, 1]);
});
