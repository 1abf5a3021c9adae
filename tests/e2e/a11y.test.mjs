// Accessibility in real headless Chromium: axe-core (injected from .tools) finds no serious
// or critical violation in any state of the page — empty, with findings, a rule page, the
// gallery open — in light and dark, on a desktop and on a 390×844 phone; and every control,
// the editors included, shows a visible focus ring when reached from the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serve, launch, open, root } from './harness.mjs';

const AXE = path.join(root, '.tools/node_modules/axe-core/axe.min.js');

let server;
let context;
before(async () => { server = await serve(); context = await launch(); });
after(async () => { await context?.close(); server?.close(); });

const STATES = {
  empty: { hash: '', ready: '[data-testid="empty"]' },
  findings: { hash: '#/case/wrong-port', ready: 'article.finding[data-code="BG202"]' },
  'rule page': { hash: '#/rules/BG202', ready: '[data-testid="rule-doc"]' },
  gallery: { hash: '', ready: '[data-testid="empty"]', then: async (page) => {
    await page.click('[data-testid="gallery"] summary');
    await page.locator('[data-testid="gallery"] a[href="#/case/wrong-port"]').waitFor({ timeout: 10000 });
  } },
};
const SCREENS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

async function serious(page) {
  // Evaluated, not a <script>: the page's Content-Security-Policy (rightly) refuses inline ones.
  await page.evaluate(await readFile(AXE, 'utf8'));
  const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const [screen, viewport] of Object.entries(SCREENS)) {
  for (const scheme of ['light', 'dark']) {
    test(`axe: no serious or critical violation, ${screen}, ${scheme}`, async () => {
      const found = {};
      for (const [name, state] of Object.entries(STATES)) {
        const page = await context.newPage();
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(server.url + state.hash);
        await page.locator(state.ready).first().waitFor({ timeout: 10000 });
        if (state.then) await state.then(page);
        const v = await serious(page);
        if (v.length) found[name] = v;
        console.log(`axe ${screen} ${scheme} ${name}: ${v.length} serious/critical`, v.join("\n"));
        await page.close();
      }
      assert.deepEqual(found, {});
    });
  }
}

test('every control shows a visible focus ring from the keyboard, the editors included', async () => {
  const { page } = await open(context, server.url + '#/case/wrong-port');
  await page.locator('article.finding[data-code="BG202"]').waitFor({ timeout: 10000 });
  await page.keyboard.press('Tab');
  const unringed = await page.evaluate(async () => {
    const frame = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    // The editors live in shadow roots of their own.
    const editors = [...document.querySelectorAll('[id^="input-"]')].flatMap((h) => [...(h.shadowRoot?.querySelectorAll('.cm-content') ?? [])]);
    const controls = [...document.querySelectorAll('a[href], button, input, summary'), ...editors]
      .filter((el) => el.getClientRects().length > 0)
      // Inside a closed <details> only its <summary> can be reached.
      .filter((el) => el.tagName === 'SUMMARY' || !el.closest('details:not([open])'));
    const bad = [];
    for (const el of controls) {
      el.focus();
      await frame(); // CodeMirror marks its focus on the next update
      const ringOf = el.classList.contains('cm-content') ? el.closest('.cm-editor') : el;
      const s = getComputedStyle(ringOf);
      const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none';
      const active = el.getRootNode().activeElement ?? document.activeElement;
      if (active !== el || !ring) bad.push(el.outerHTML.slice(0, 80));
    }
    return { count: controls.length, editors: editors.length, bad };
  });
  assert.ok(unringed.count > 15, `${unringed.count} controls`);
  assert.ok(unringed.editors === 3, `${unringed.editors} editors checked`);
  assert.deepEqual(unringed.bad, []);
});
