// Runs the playground's own wasm module in a Web Worker and enters it at
// worker_entry(). The page passes the module's URLs (so hashed file names and any
// sub-path work); the browser's cache serves the wasm the page already loaded.
const queued = [];
self.onmessage = (event) => queued.push(event);
const params = new URL(self.location.href).searchParams;
const bindings = await import(params.get('glue'));
await bindings.default({ module_or_path: params.get('wasm') });
bindings.worker_entry();
// Tell the page the worker can diagnose (it marks <html data-worker="ready">).
self.postMessage('ready');
// Messages that arrived while the module was loading.
for (const event of queued) self.onmessage(event);
