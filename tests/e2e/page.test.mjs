// The page's small promises in real headless Chromium: rule docs rendered (never raw
// Markdown), copy buttons that say "Copied" and announce it, "Forget my inputs" undoable,
// one live region with a short summary, the timing out of the main view, a skip link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serve, launch, open, paste, value, root } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

test('no rule page shows raw Markdown', async () => {
  const { rules } = JSON.parse(await readFile(path.join(root, 'www/rules.json'), 'utf8'));
  assert.ok(rules.length > 20);
  // The docs do use Markdown: the test would catch it shown as text.
  assert.ok(rules.some((r) => r.docs.includes('**')));
  const { page } = await open(context, server.url + '#/rules', '.reference');
  for (const rule of rules) {
    await page.evaluate((code) => { location.hash = `#/rules/${code}`; }, rule.code);
    const doc = page.locator('[data-testid="rule-doc"]', { hasText: rule.code });
    await doc.waitFor({ timeout: 10000 });
    const text = await doc.innerText();
    for (const raw of ['**', '## ', '```']) assert.ok(!text.includes(raw), `${rule.code} shows ${raw}`);
    assert.equal(await doc.locator('h3', { hasText: 'What it detects' }).count(), 1, rule.code);
    assert.equal(await doc.locator('script').count(), 0);
  }
});

test('a copy button says Copied and announces it in the live region', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const { page } = await open(context, server.url + '#/case/wrong-port');
  const card = page.locator('article.finding[data-code="BG202"]');
  await card.waitFor({ timeout: 10000 });
  const live = page.locator('[data-testid="announce"]');
  await page.waitForFunction(() => /BG202/.test(document.querySelector('[data-testid="announce"]').textContent));
  const summary = await live.textContent();
  assert.match(summary, /^\d+ errors?(, \d+ \w+)*: BG202 /, summary);
  assert.doesNotMatch(summary, /ms\b/, 'no timings read aloud');
  // CodeMirror keeps an (empty) announcer of its own inside each editor, for its commands.
  const regions = await page.evaluate(() => [...document.querySelectorAll('[aria-live], [role=status]')]
    .filter((el) => !el.closest('.cm-editor')).length);
  assert.equal(regions, 1, 'one live region');
  const button = card.locator('[data-testid="copy-diff"]');
  await button.click();
  await card.locator('[data-testid="copy-diff"]', { hasText: 'Copied' }).waitFor({ timeout: 2000 });
  assert.match(await live.textContent(), /^Copied/);
  // A patch `patch -p0` takes from / (crates/core/tests/patch_applies.rs applies them).
  const patch = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(patch, /^--- tmp\/badgateway-lab\/wrong-port\/nginx\.conf\n\+\+\+ tmp\/badgateway-lab\/wrong-port\/nginx\.conf\n@@ -\d+,7 \+\d+,7 @@\n/);
  assert.match(patch, /\n-\s+proxy_pass http:\/\/127\.0\.0\.1:8000;\n\+\s+proxy_pass http:\/\/127\.0\.0\.1:3000;\n/);
  await card.locator('[data-testid="copy-diff"]', { hasText: 'Copy diff' }).waitFor({ timeout: 5000 });
});

test('"Forget my inputs" can be undone', async () => {
  const { page } = await open(context, server.url);
  const text = 'location / { proxy_pass http://127.0.0.1:8000; }\n';
  await paste(page, 'config', text);
  await page.waitForTimeout(200);
  await page.click('[data-testid="forget"]');
  await page.waitForFunction(() => document.querySelector('#input-config').bgEditor.view.state.doc.length === 0);
  await page.click('[data-testid="undo-forget"]');
  await page.waitForFunction(() => document.querySelector('#input-config').bgEditor.view.state.doc.length > 0);
  assert.equal(await value(page, 'config'), text);
  assert.equal(await page.locator('[data-testid="undo-forget"]').count(), 0);
  // Restored inputs are the user's own again: kept as a draft over a reload.
  await page.waitForTimeout(300);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#input-config')?.bgEditor?.view.state.doc.toString().includes('proxy_pass'));
});

test('the timing stays out of the main view; a skip link leads to the diagnosis', async () => {
  const { page } = await open(context, server.url + '#/case/wrong-port');
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  const timing = page.locator('[data-testid="timing"]');
  assert.equal(await timing.isVisible(), false);
  assert.match(await timing.textContent(), /^\d+\.\d ms$/);
  await page.keyboard.press('Tab');
  const skip = page.locator('.skip-link');
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true, 'the first Tab reaches the skip link');
  assert.equal(await skip.isVisible(), true);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'diagnosis');
});

test('the empty page offers a real broken example in one click and the command that collects the inputs', async () => {
  const { page } = await open(context, server.url);
  // An earlier test restored a draft: start from nothing.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  const empty = page.locator('[data-testid="empty"]');
  await empty.waitFor({ timeout: 10000 });
  assert.match(await empty.innerText(), /sudo badgateway collect --out evidence\//);
  assert.match(await empty.innerText(), /nginx -T > config\.txt/);
  await page.click('[data-testid="try-example"]');
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  assert.match(await value(page, 'config'), /proxy_pass http:\/\/127\.0\.0\.1:8000;/);
});
