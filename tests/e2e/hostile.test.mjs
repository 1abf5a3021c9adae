// Hostile pastes in real Chromium: the page keeps answering, the diagnosis arrives,
// the user's input is kept, and hidden characters are shown, never hiding text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, paste, value } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

test('a million braces and a 20 MB line: no freeze, a finding, input kept', { timeout: 180000 }, async () => {
  const { page, errors } = await open(context, server.url);
  const braces = '{'.repeat(1_000_000);
  await paste(page, 'config', braces);
  const longLine = '2026/11/21 11:33:33 [error] 1#1: *1 ' + 'x'.repeat(20 * 1024 * 1024) + '\n';
  await paste(page, 'log', longLine);
  // nginx -t would stop at the first problem: a BG101 card arrives.
  await page.locator('article.finding[data-code="BG101"]').first().waitFor({ timeout: 120000 });
  // The main thread still answers quickly, and nothing was lost or truncated.
  const t0 = Date.now();
  await page.evaluate(() => 1);
  console.log(`round trip after the big job: ${Date.now() - t0} ms`);
  assert.equal((await value(page, 'config')).length, braces.length);
  assert.equal((await value(page, 'log')).length, longLine.length);
  assert.deepEqual(errors, []);
});

test('bidi overrides and zero-width characters are shown in evidence, not obeyed', async () => {
  const { page } = await open(context, server.url);
  const config = 'location / { proxy_pass http://127.0.0.1:8000; } # \u202Eevil\u200B\n';
  await paste(page, 'config', 'server {\n' + config + '}\n');
  await paste(page, 'log', '2026/11/21 11:33:33 [error] 9#9: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: \u202Ex\u200B, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8000/", host: "a"\n');
  const card = page.locator('article.finding').first();
  await card.waitFor({ timeout: 10000 });
  const quotes = (await page.locator('.evidence .quote').allInnerTexts()).join('\n');
  assert.ok(!quotes.includes('\u202E') && !quotes.includes('\u200B'), 'no raw bidi or zero-width character in evidence');
  assert.match(quotes, /<U\+202E>/);
});
