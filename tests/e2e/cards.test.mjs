// Boxes and cards that help, in real headless Chromium: a paste in the wrong box is offered
// a move (and moved, and diagnosed where it belongs); a card's diff marks only the lines the
// fix changes, numbered as in the file, with a few lines of context; on a phone it reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, scenario, paste, value } from './harness.mjs';

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

test('an error log pasted into the config box is offered a move, and read as a log once moved', async () => {
  const s = await scenario('wrong-port');
  const { page, errors } = await open(context, server.url);
  await paste(page, 'listeners', s.listeners);
  await paste(page, 'config', s.log);
  const offer = page.locator('[data-testid="move-config"]');
  await offer.waitFor({ timeout: 10000 });
  assert.match(await offer.innerText(), /Error log/);
  assert.equal(await page.locator('article.finding[data-code="BG602"]').count(), 1);
  await offer.click();
  await page.locator('[data-testid="read-as-log"]', { hasText: 'nginx error log' }).waitFor({ timeout: 10000 });
  assert.equal(await value(page, 'config'), '');
  assert.equal(await value(page, 'log'), s.log);
  await page.locator('article.finding').first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator('article.finding[data-code="BG602"]').count(), 0);
  assert.equal(await page.locator('[data-testid^="move-"]').count(), 0, 'no offer left');
  assert.deepEqual(errors, []);
});

test('a config and a log pasted into each other\'s boxes swap on one click', async () => {
  const s = await scenario('wrong-port');
  const { page } = await open(context, server.url);
  await paste(page, 'listeners', s.listeners);
  await paste(page, 'config', s.log);
  await paste(page, 'log', s.config);
  await page.locator('[data-testid="move-log"]').waitFor({ timeout: 10000 });
  await page.locator('[data-testid="move-config"]').click();
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  assert.equal(await value(page, 'config'), s.config);
  assert.equal(await value(page, 'log'), s.log);
});

/** The diff of a card as [line number, mark, text] rows, one array per hunk. */
const diffOf = (card) => card.locator('figure.diff pre').evaluateAll((pres) => pres.map((pre) =>
  [...pre.querySelectorAll('.line')].map((l) => [l.querySelector('.ln').textContent, l.querySelector('.mark').textContent,
    l.querySelector('.text').textContent])));

test('a card\'s diff marks only the lines the fix changes, numbered as in the file, with context', async () => {
  const { page } = await open(context, server.url + '#/case/header-too-big');
  const card = page.locator('article.finding[data-code="BG303"]');
  await card.waitFor({ timeout: 10000 });
  assert.equal(await card.locator('figure.diff figcaption').innerText(), '/tmp/badgateway-lab/header-too-big/nginx.conf');
  const [hunk, ...more] = await diffOf(card);
  assert.equal(more.length, 0);
  // The patch rewrites proxy_pass (the new directive goes before it); shown, it is context.
  const changed = hunk.filter(([, mark]) => mark !== ' ');
  assert.deepEqual(changed.map(([, mark, text]) => mark + text.trim()),
    ['-proxy_buffer_size 4k;', '+proxy_buffer_size 16k;', '+proxy_buffers 8 16k;']);
  const pass = hunk.find(([, , text]) => text.includes('proxy_pass'));
  assert.equal(pass[1], ' ');
  // Lines are the file's: the removed line and the context keep their numbers, added lines have none.
  const removed = hunk.find(([, mark]) => mark === '-');
  assert.equal(Number(pass[0]), Number(removed[0]) + 1);
  assert.ok(changed.filter(([, mark]) => mark === '+').every(([n]) => n === ''));
  assert.equal(hunk.filter(([, mark]) => mark === ' ').length, 7, 'three lines of context on each side, and proxy_pass');
  // The same line as the evidence names: the card's place for proxy_buffer_size.
  const config = await value(page, 'config');
  const file = config.split('\n');
  const start = file.findIndex((l) => l.startsWith('# configuration file /tmp/badgateway-lab/header-too-big/nginx.conf'));
  assert.equal(file[start + Number(removed[0])].trim(), 'proxy_buffer_size 4k;');
});

test('on a 390px phone a diff wraps inside its card, each line under its own start', async () => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(server.url + '#/case/wrong-port');
  const card = page.locator('article.finding[data-code="BG202"]');
  await card.waitFor({ timeout: 10000 });
  const figure = card.locator('figure.diff');
  await figure.scrollIntoViewIfNeeded();
  await figure.screenshot({ path: '/tmp/shots/phone-diff.png' });
  const fits = await figure.evaluate((f) => ({
    right: f.getBoundingClientRect().right,
    overflow: [...f.querySelectorAll('.line')].filter((l) => l.scrollWidth > l.clientWidth + 1).length,
    scroll: document.scrollingElement.scrollWidth,
  }));
  assert.ok(fits.right <= 390, `the diff ends at ${fits.right}px`);
  assert.equal(fits.overflow, 0, 'no line runs out of its row');
  assert.ok(fits.scroll <= 390, `the page scrolls sideways: ${fits.scroll}px`);
  // A long line wraps under its own start (past its indentation), not at the margin.
  const wrapped = await card.locator('figure.diff .line.del').evaluate((l) => {
    const [indent, code] = [l.querySelector('.indent'), l.querySelector('.src')];
    return { indent: indent.getBoundingClientRect().width, codeLeft: code.getBoundingClientRect().left,
      textLeft: l.querySelector('.text').getBoundingClientRect().left, lines: code.getClientRects().length,
      height: code.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(code).lineHeight), text: l.querySelector('.text').textContent };
  });
  assert.equal(wrapped.text, '            proxy_pass http://127.0.0.1:8000;', 'the line is whole');
  assert.ok(wrapped.indent > 10 && wrapped.codeLeft >= wrapped.textLeft + wrapped.indent - 1, JSON.stringify(wrapped));
  await page.close();
});
