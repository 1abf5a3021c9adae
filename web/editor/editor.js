// The playground's three input boxes: CodeMirror 6 editors, driven from the yew page
// (crates/web/src/editor.rs) through `globalThis.badgateway.editor.create`.
//
// Bundled offline by scripts/build-editor.sh (esbuild, minified ESM) into dist/editor.js;
// a module script of its own, so the diagnosis worker, which loads the page's wasm glue,
// never loads the editor.
//
// Positions come from the page as (1-based line, UTF-16 column) pairs: the worker turns the
// findings' byte ranges into them (crates/web/src/editor_spans.rs), so nothing here needs
// the text in UTF-8.
import { EditorState, StateEffect, StateField, Compartment, RangeSetBuilder } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLineGutter, highlightSpecialChars,
  placeholder as placeholderText, Decoration, showTooltip,
} from '@codemirror/view';
// Undo, and the moves a virtualised box needs from its keymap (the browser's own would stop
// at the lines in view). The rest is the browser's native editing: the page weight budget
// (scripts/size-report.sh) leaves no room for the full default keymap (+5 KB gz) or search.
import {
  history, historyKeymap, cursorDocStart, cursorDocEnd, selectDocStart, selectDocEnd, selectAll,
  cursorPageDown, cursorPageUp, selectPageDown, selectPageUp,
} from '@codemirror/commands';
import { StreamLanguage, syntaxHighlighting, HighlightStyle } from '@codemirror/language';
import { setDiagnostics, lintGutter, lintKeymap, forEachDiagnostic } from '@codemirror/lint';
import { tags as t, Tag } from '@lezer/highlight';
import { nginx } from '@codemirror/legacy-modes/mode/nginx';

// --- Colouring -------------------------------------------------------------------------

const levelError = Tag.define();
const levelWarn = Tag.define();
const levelInfo = Tag.define();
const errno = Tag.define();

// Error log lines: `2026/11/21 11:33:33 [error] 12#12: *7 connect() failed (111: Connection
// refused) while connecting to upstream, client: ..., upstream: "http://127.0.0.1:8000/"`.
// Only what helps the eye find the cause: the time, the level, the errno, addresses, quotes.
const logParser = {
  name: 'nginx-log',
  token(stream) {
    if (stream.sol() && stream.match(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d/)) return 'meta';
    if (stream.match(/^\[(emerg|alert|crit|error)\]/)) return 'levelError';
    if (stream.match(/^\[warn\]/)) return 'levelWarn';
    if (stream.match(/^\[(notice|info|debug)\]/)) return 'levelInfo';
    if (stream.match(/^\(\d+: [^)]*\)/)) return 'errno';
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^(?:unix:)?\/[\w./-]+\.sock\b/)) return 'number';
    if (stream.match(/^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?/)) return 'number';
    if (stream.match(/^(?:upstream|client|server|request|host|while connecting to upstream|upstream timed out|failed)\b/)) return 'keyword';
    if (!stream.match(/^[^\s"(\[\d/a-z]+/)) stream.next();
    return null;
  },
  tokenTable: { levelError, levelWarn, levelInfo, errno },
};

// Listener tables (ss, netstat, lsof, ip addr): the header, the state, addresses, processes.
const listenersParser = {
  name: 'listeners',
  token(stream) {
    if (stream.sol() && stream.match(/^(?:Netid|State|Proto|COMMAND|Active)\b.*/)) return 'heading';
    if (stream.match(/^(?:LISTEN|UNCONN|ESTAB|UP|DOWN)\b/)) return 'keyword';
    if (stream.match(/^(?:\[[0-9a-fA-F:.%\w]*\]|\*|\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*::[0-9a-fA-F:]*)(?::(?:\d+|\*))?/)) return 'number';
    if (stream.match(/^\/[\w./@-]+/)) return 'number';
    if (stream.match(/^users:\(.*\)/)) return 'string';
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^#.*/)) return 'comment';
    if (!stream.match(/^[^\s\[*\d/"#:u]+/)) stream.next();
    return null;
  },
};

const languages = {
  config: StreamLanguage.define(nginx),
  listeners: StreamLanguage.define(listenersParser),
  log: StreamLanguage.define(logParser),
};

// Colours are CSS variables (www/style.css), so light and dark follow the page.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword], color: 'var(--hl-keyword)' },
  { tag: [t.string], color: 'var(--hl-string)' },
  { tag: [t.number], color: 'var(--hl-number)' },
  { tag: [t.comment], color: 'var(--hl-comment)', fontStyle: 'italic' },
  { tag: [t.variableName, t.meta], color: 'var(--hl-meta)' },
  { tag: [t.heading], color: 'var(--hl-comment)', fontWeight: 'bold' },
  { tag: levelError, color: 'var(--error)', fontWeight: 'bold' },
  { tag: levelWarn, color: 'var(--warning)', fontWeight: 'bold' },
  { tag: levelInfo, color: 'var(--info)' },
  { tag: errno, color: 'var(--error)' },
]);

// --- Findings, not-understood lines, file line numbers ----------------------------------

const severities = ['error', 'warning', 'info'];

function position(doc, line, column) {
  if (line < 1) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  return Math.min(l.from + column, l.to);
}

function tooltipBody(mark) {
  const box = document.createElement('div');
  box.className = 'bg-tip';
  const head = box.appendChild(document.createElement('strong'));
  head.textContent = `${mark.code} · ${mark.title}`;
  if (mark.label) box.appendChild(document.createElement('div')).textContent = mark.label;
  if (mark.fix) {
    const fix = box.appendChild(document.createElement('div'));
    fix.className = 'bg-tip-fix';
    fix.textContent = `Fix: ${mark.fix}`;
  }
  return box;
}

function diagnostic(doc, mark, onMark) {
  let from = position(doc, mark.line, mark.column);
  let to = position(doc, mark.endLine, mark.endColumn);
  if (to < from) to = from;
  return {
    from, to,
    severity: severities[mark.severity] ?? 'info',
    message: `${mark.code} ${mark.title}${mark.fix ? ` — Fix: ${mark.fix}` : ''}`,
    source: `finding ${mark.rank}`,
    markClass: `bg-mark bg-f${(mark.rank - 1) % 6}${mark.primary ? ' bg-primary' : ''}`,
    renderMessage: () => tooltipBody(mark),
    actions: [{ name: `Show finding ${mark.rank}`, apply: () => onMark(mark.rank) }],
    rank: mark.rank,
  };
}

// Lines nothing understood: a stripe, and the reason as the line's title (hover).
const setUnknown = StateEffect.define();
const unknownLines = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setUnknown)) deco = e.value;
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function unknownDecorations(doc, lines, reason) {
  const builder = new RangeSetBuilder();
  const deco = Decoration.line({ class: 'bg-unknown-line', attributes: { title: reason } });
  let last = 0;
  for (const n of lines) {
    if (n <= last || n > doc.lines) continue;
    builder.add(doc.line(n).from, doc.line(n).from, deco);
    last = n;
  }
  return builder.finish();
}

// An nginx -T dump's files: [firstLine, lastLine, path] in paste lines. The gutter shows
// `nginx.conf:22`, as the finding cards and nginx itself name lines.
function fileLineNumbers(files) {
  const base = (p) => p.slice(p.lastIndexOf('/') + 1) || p;
  return lineNumbers({
    formatNumber(n) {
      let lo = 0;
      let hi = files.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const [first, last, path] = files[mid];
        if (n < first) hi = mid - 1;
        else if (n > last) lo = mid + 1;
        else return `${base(path)}:${n - first + 1}`;
      }
      return String(n);
    },
  });
}

// The caret inside a finding's mark shows the same tooltip as hovering it: keyboard users
// get the title and the fix too.
const setFocused = StateEffect.define();
const caretTooltip = StateField.define({
  create: () => ({ focused: false, tip: null }),
  update(value, tr) {
    let focused = value.focused;
    for (const e of tr.effects) if (e.is(setFocused)) focused = e.value;
    if (!focused) return { focused, tip: null };
    if (!tr.docChanged && !tr.selection && !tr.effects.length) return value;
    const head = tr.state.selection.main.head;
    const found = [];
    forEachDiagnostic(tr.state, (d, from, to) => { if (from <= head && head <= to && d.renderMessage) found.push(d); });
    if (!found.length) return { focused, tip: null };
    return {
      focused,
      tip: {
        pos: head,
        above: true,
        create(view) {
          const dom = document.createElement('div');
          dom.className = 'bg-caret-tip';
          dom.setAttribute('role', 'status');
          for (const d of found) dom.appendChild(d.renderMessage(view));
          return { dom };
        },
      },
    };
  },
  provide: (f) => showTooltip.compute([f], (state) => state.field(f).tip),
});

// The page's colours (CSS variables cross the shadow boundary); sizes follow the box the
// page renders (www/style.css: `.editor`), which grows with the text up to a limit and can be
// resized by its handle.
const theme = EditorView.theme({
  '&': { height: '100%', minHeight: '120px', maxHeight: 'inherit', background: 'var(--panel)', color: 'var(--fg)' },
  // The keyboard's place must show (WCAG 2.4.7): the same ring as every other control.
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', fontSize: '13px', lineHeight: 'var(--line-height)' },
  '.cm-gutters': { background: 'var(--bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLineGutter': { background: 'var(--border)' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.bg-mark': { backgroundColor: 'var(--m0)' },
  '.bg-mark.bg-f1': { backgroundColor: 'var(--m1)' },
  '.bg-mark.bg-f2': { backgroundColor: 'var(--m2)' },
  '.bg-mark.bg-f3': { backgroundColor: 'var(--m3)' },
  '.bg-mark.bg-f4': { backgroundColor: 'var(--m4)' },
  '.bg-mark.bg-f5': { backgroundColor: 'var(--m5)' },
  '.bg-unknown-line': { boxShadow: 'inset 4px 0 0 var(--warning)' },
  '.cm-tooltip': { background: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)', borderRadius: '6px', maxWidth: '420px' },
  '.bg-tip': { font: '13px/1.4 var(--sans)', padding: '2px 0' },
  '.bg-tip strong': { display: 'block' },
  '.bg-tip-fix': { color: 'var(--muted)', marginTop: '2px' },
  '.bg-caret-tip': { padding: '4px 8px' },
  '.cm-diagnosticAction': { font: '12px var(--sans)' },
});

// --- The editor --------------------------------------------------------------------------

class Editor {
  constructor(parent, options) {
    this.kind = options.kind;
    this.onChange = options.onChange;
    this.onMark = options.onMark;
    // Counts document changes; `readVersion` is the version the page last read or set.
    this.version = 0;
    this.readVersion = 0;
    this.fileNumbers = new Compartment();
    // The editor lives in a shadow root: there CodeMirror's styles go into constructed
    // style sheets, which the page's Content-Security-Policy (style-src 'self', no inline
    // styles) allows; in the document it would add <style> elements, which it blocks.
    // Ids do not cross the shadow boundary, so the box is named by its label's text.
    const shadow = parent.attachShadow({ mode: 'open' });
    const label = document.getElementById(options.labelId)?.textContent ?? options.kind;
    const contentAttributes = {
      'aria-label': label,
      // Focusable already (contenteditable); said so for checkers that look for tabindex
      // on a scrolling region's content (axe's scrollable-region-focusable).
      tabindex: '0',
      'data-testid': `editor-${options.kind}`,
      spellcheck: 'false',
      autocorrect: 'off',
      autocapitalize: 'off',
    };
    this.view = new EditorView({
      parent: shadow,
      root: shadow,
      state: EditorState.create({
        doc: '',
        extensions: [
          // Only \n ends a line: the page's byte ranges and line numbers count it alone,
          // and a \r stays in the text (shown as a special character), so what is read
          // back is what was pasted.
          EditorState.lineSeparator.of('\n'),
          this.fileNumbers.of(lineNumbers()),
          lintGutter(),
          highlightActiveLineGutter(),
          highlightSpecialChars(),
          history(),
          languages[options.kind] ?? [],
          syntaxHighlighting(highlight),
          placeholderText(options.placeholder ?? ''),
          unknownLines,
          caretTooltip,
          theme,
          EditorView.focusChangeEffect.of((_, focusing) => setFocused.of(focusing)),
          EditorView.contentAttributes.of(contentAttributes),
          keymap.of([
            ...historyKeymap, ...lintKeymap,
            { key: 'Mod-Home', run: cursorDocStart, shift: selectDocStart, preventDefault: true },
            { key: 'Mod-End', run: cursorDocEnd, shift: selectDocEnd, preventDefault: true },
            { key: 'PageDown', run: cursorPageDown, shift: selectPageDown, preventDefault: true },
            { key: 'PageUp', run: cursorPageUp, shift: selectPageUp, preventDefault: true },
            { key: 'Mod-a', run: selectAll, preventDefault: true },
          ]),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            this.version += 1;
            if (!update.transactions.some((tr) => tr.isUserEvent('set'))) this.onChange(this.version);
          }),
          EditorView.domEventHandlers({
            // A dropped file replaces the box's text, like pasting a whole file.
            drop: (event, view) => {
              const file = event.dataTransfer?.files?.[0];
              if (!file) return false;
              event.preventDefault();
              file.text().then((text) => {
                view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'input.drop' });
              });
              return true;
            },
          }),
        ],
      }),
    });
    this.view.dom.classList.add(`bg-editor-${options.kind}`);
    // A click on a finding's gutter mark opens its card (the gutters are outside the
    // content element, where EditorView.domEventHandlers listen).
    this.view.dom.addEventListener('mousedown', (event) => {
      const view = this.view;
      if (!event.target.closest?.('.cm-gutter-lint')) return;
      const line = view.lineBlockAtHeight(event.clientY - view.documentTop);
      let rank = null;
      forEachDiagnostic(view.state, (d, from) => {
        if (from >= line.from && from <= line.to && d.rank && (rank === null || d.rank < rank)) rank = d.rank;
      });
      if (rank === null) return;
      event.preventDefault();
      this.onMark(rank);
    });
    // A box grows with its text up to a limit; once its resize handle is dragged, the
    // dragged height rules.
    this.host = parent;
    this.resizeObserver = new ResizeObserver(() => {
      if (parent.style.height) parent.classList.add('resized');
    });
    this.resizeObserver.observe(parent);
    parent.bgEditor = this;
  }

  /** The whole text, and marks it as read: later marks are for this version. */
  value() {
    this.readVersion = this.version;
    return this.view.state.doc.toString();
  }

  length() { return this.view.state.doc.length; }

  /** Replaces the text from outside (a gallery case, a share link, a draft). */
  setValue(text) {
    const doc = this.view.state.doc;
    this.view.dispatch({
      changes: { from: 0, to: doc.length, insert: text },
      selection: { anchor: 0 },
      userEvent: 'set',
    });
    this.readVersion = this.version;
  }

  /** True when the text is the one the page last read or set (marks fit it). */
  current() { return this.version === this.readVersion; }

  /**
   * The findings' marks, the not-understood lines and (config) the dump's file map, all
   * computed on the text the page last read. Ignored when the text changed since: the
   * marks already shown follow the edits, and a diagnosis of the new text comes next.
   */
  setMarks(marks, unknown, unknownReason, files) {
    if (!this.current()) return false;
    const doc = this.view.state.doc;
    const diagnostics = marks.map((m) => diagnostic(doc, m, this.onMark));
    const spec = setDiagnostics(this.view.state, diagnostics);
    const effects = [...[spec.effects].flat(), setUnknown.of(unknownDecorations(doc, unknown, unknownReason))];
    const filesKey = JSON.stringify(files);
    if (filesKey !== this.filesKey) {
      this.filesKey = filesKey;
      effects.push(this.fileNumbers.reconfigure(files.length ? fileLineNumbers(files) : lineNumbers()));
    }
    this.view.dispatch({ effects });
    return true;
  }

  /** Selects a span (1-based lines, UTF-16 columns) and scrolls it to the middle. */
  select(line, column, endLine, endColumn) {
    const doc = this.view.state.doc;
    const from = position(doc, line, column);
    const to = Math.max(from, position(doc, endLine, endColumn));
    this.view.dispatch({
      selection: { anchor: from, head: to },
      effects: EditorView.scrollIntoView(from, { y: 'center' }),
    });
    this.view.focus();
  }

  destroy() {
    this.resizeObserver.disconnect();
    this.view.destroy();
  }
}

export function create(parent, options) {
  return new Editor(parent, options);
}

globalThis.badgateway = Object.assign(globalThis.badgateway ?? {}, { editor: { create } });
