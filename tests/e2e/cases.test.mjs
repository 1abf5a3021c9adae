// Cases and rules tied together, in real headless Chromium: the gallery names each real
// case by its symptom (never its cause), loading one shows its story and closes the
// gallery, and every rule page links to the cases that show it (rule page → case → back).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serve, launch, open, value, root } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

test('gallery links name the symptom, not the cause', async () => {
  const { page } = await open(context, server.url);
  await page.click('[data-testid="gallery"] summary');
  const links = page.locator('[data-testid="gallery"] a[href^="#/case/"]');
  await links.first().waitFor({ timeout: 10000 });
  const shown = await links.evaluateAll((as) => as.map((a) => ({
    name: a.getAttribute('href').slice('#/case/'.length), text: a.innerText, title: a.getAttribute('title'),
    meta: a.parentElement.innerText,
  })));
  assert.ok(shown.length >= 50, `${shown.length} cases`);
  for (const s of shown) {
    const meta = JSON.parse(await readFile(path.join(root, 'tests/fixtures/scenarios', s.name, 'meta.json'), 'utf8'));
    assert.equal(s.title, null, `${s.name}: no tooltip with the cause`);
    assert.doesNotMatch(s.meta, /BG\d{3}/, `${s.name}: no rule code beside the link`);
    if (meta.expect.length) {
      assert.notEqual(s.text, meta.description, `${s.name}: the link is not the lab's description`);
      assert.ok(!s.text.includes(meta.cause), s.name);
    }
  }
  const wrongPort = shown.find((s) => s.name === 'wrong-port');
  assert.match(wrongPort.text, /Connection refused/);
  assert.doesNotMatch(wrongPort.text, /3000|gunicorn/, 'where the backend really listens is the answer');
});

test('loading a case closes the gallery and shows its story', async () => {
  const { page } = await open(context, server.url);
  await page.click('[data-testid="gallery"] summary');
  await page.click('a[href="#/case/wrong-port"]');
  const banner = page.locator('[data-testid="case-banner"]');
  await banner.waitFor({ timeout: 10000 });
  assert.equal(await page.$eval('[data-testid="gallery"]', (d) => d.open), false, 'the gallery closed');
  assert.match(await banner.innerText(), /Connection refused/);
  assert.equal(await banner.locator('details').evaluate((d) => d.open), false, 'the cause waits behind a disclosure');
  await banner.locator('summary').click();
  assert.match(await banner.innerText(), /another port than the one proxy_pass names/);
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
});

test('rule page → load this example → back to the rule page', async () => {
  const { page } = await open(context, server.url + '#/rules/BG202', '.reference');
  const cases = page.locator('[data-testid="rule-cases"]');
  await cases.waitFor({ timeout: 10000 });
  const listed = await cases.locator('a[data-case]').evaluateAll((as) => as.map((a) => a.dataset.case));
  assert.deepEqual(listed, ['wrong-port']);
  await cases.locator('a[data-case="wrong-port"]').click();
  await page.locator('[data-testid="case-banner"]').waitFor({ timeout: 10000 });
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  assert.match(await value(page, 'config'), /proxy_pass http:\/\/127\.0\.0\.1:8000;/);
  await page.goBack();
  const doc = page.locator('[data-testid="rule-doc"]');
  await doc.waitFor({ timeout: 10000 });
  assert.match(await doc.innerText(), /BG202/);
  // A rule many cases show lists them all, each from the index.
  await page.goto(server.url + '#/rules/BG207');
  await page.locator('[data-testid="rule-cases"] a[data-case]').first().waitFor({ timeout: 10000 });
  const firewall = await page.locator('[data-testid="rule-cases"] a[data-case]').count();
  const index = JSON.parse(await readFile(path.join(root, 'dist/cases/index.json'), 'utf8'));
  assert.equal(firewall, index.cases.filter((c) => c.codes.includes('BG207')).length);
  assert.ok(firewall > 5);
});
