/**
 * The playground's style sheet: two columns (request and live figures on
 * the left, results on the right) that stack below 760 px, light or dark
 * as the system prefers.
 */
export const playgroundStyle = `
:root {
  color-scheme: light dark;
  --bg: #f4f5f8; --panel: #ffffff; --text: #1a1d23; --muted: #5c6573; --border: #dde1e8; --field: #fbfcfd;
  --accent: #4f46e5; --accent-hover: #4338ca; --accent-text: #ffffff; --accent-soft: #eef0ff;
  --danger: #b42318; --danger-bg: #fef3f2; --danger-border: #fecdca;
  --ok: #0f7b53; --warn: #b54708; --bad: #c0331f; --shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 8%);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1015; --panel: #171a21; --text: #e5e7eb; --muted: #98a2b3; --border: #2b303b; --field: #11141a;
    --accent: #8b93ff; --accent-hover: #a5abff; --accent-text: #0e1015; --accent-soft: #23264a;
    --danger: #fda29b; --danger-bg: #2d1512; --danger-border: #5c2620;
    --ok: #47cd89; --warn: #fdb022; --bad: #f97066; --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
h1, h2 { margin: 0; line-height: 1.25; }
h1 { font-size: 1.15rem; font-weight: 650; }
h2 { font-size: 0.95rem; font-weight: 650; }
code, kbd, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em; }
kbd { border: 1px solid var(--border); border-bottom-width: 2px; border-radius: 4px; padding: 0 4px; background: var(--field); }
.muted { color: var(--muted); font-weight: 400; }
.small { font-size: 0.82rem; }
.hint { margin: 4px 0 0; color: var(--muted); font-size: 0.8rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.top {
  display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: center; justify-content: space-between;
  max-width: 1440px; margin: 0 auto; padding: 20px 24px 8px;
}
.brand { display: flex; gap: 12px; align-items: center; }
.brand p { margin: 2px 0 0; }
.logo { width: 34px; height: 34px; border-radius: 9px; flex: none; background: linear-gradient(135deg, #6366f1, #ec4899 55%, #f59e0b); }
.key-field { width: min(420px, 100%); }
.key-field input.needed { border-color: var(--bad); }
.key-field label, .label, .field label { display: block; font-weight: 600; font-size: 0.85rem; margin-bottom: 4px; }
.layout {
  display: grid; grid-template-columns: minmax(300px, 400px) minmax(0, 1fr); gap: 20px; align-items: start;
  max-width: 1440px; margin: 0 auto; padding: 12px 24px 32px;
}
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 12px; padding: 16px 18px; box-shadow: var(--shadow); }
.controls { position: sticky; top: 12px; }
.results { display: grid; gap: 20px; min-width: 0; }
form { display: grid; gap: 14px; margin-top: 12px; }
input, select, textarea, button { font: inherit; color: inherit; }
input, select, textarea {
  width: 100%; border: 1px solid var(--border); border-radius: 8px; background: var(--field); padding: 8px 10px;
}
textarea { resize: vertical; min-height: 96px; }
input:focus-visible, select:focus-visible, textarea:focus-visible, button:focus-visible, .drop:focus-within {
  outline: 2px solid var(--accent); outline-offset: 1px;
}
.drop {
  position: relative; border: 1.5px dashed var(--border); border-radius: 10px; padding: 14px; text-align: center;
  background: var(--field); transition: border-color 0.15s, background 0.15s;
}
.drop.dragging { border-color: var(--accent); background: var(--accent-soft); }
.drop-text { cursor: pointer; color: var(--muted); font-weight: 400 !important; margin: 0 !important; }
.link { color: var(--accent); text-decoration: underline; }
.attachment { display: flex; gap: 12px; align-items: center; text-align: left; margin-top: 10px; }
.attachment[hidden] { display: none; }
.attachment img { width: 56px; height: 56px; object-fit: cover; border-radius: 6px; border: 1px solid var(--border); }
.attachment-info { display: grid; flex: 1; min-width: 0; overflow-wrap: anywhere; }
.row { display: flex; gap: 12px; }
.row .field { flex: 1; min-width: 0; }
.row .field.count { flex: 0 0 84px; }
.actions { display: flex; gap: 10px; }
button { border-radius: 8px; padding: 8px 16px; border: 1px solid var(--border); background: var(--panel); cursor: pointer; font-weight: 600; }
button:disabled { opacity: 0.5; cursor: not-allowed; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); flex: 1; }
button.primary:hover:not(:disabled) { background: var(--accent-hover); }
button.ghost:hover:not(:disabled) { background: var(--accent-soft); }
.stats { margin-top: 20px; border-top: 1px solid var(--border); padding-top: 14px; }
.stats-head, .run-head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; flex-wrap: wrap; }
table { width: 100%; border-collapse: collapse; margin-top: 8px; font-size: 0.82rem; font-variant-numeric: tabular-nums; }
th { text-align: left; color: var(--muted); font-weight: 600; }
th, td { padding: 4px 6px 4px 0; border-bottom: 1px solid var(--border); }
td.name { overflow-wrap: anywhere; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; background: var(--ok); }
.dot.half-open { background: var(--warn); }
.dot.open { background: var(--bad); }
.status { margin: 8px 0 0; color: var(--muted); }
.status.busy::before {
  content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 8px; border-radius: 50%;
  border: 2px solid var(--accent); border-right-color: transparent; animation: spin 0.8s linear infinite; vertical-align: -1px;
}
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .status.busy::before { animation: none; } }
.error { margin-top: 12px; border: 1px solid var(--danger-border); background: var(--danger-bg); color: var(--danger); border-radius: 10px; padding: 10px 12px; }
.error[hidden], .answer-text[hidden], .reasoning[hidden] { display: none; }
.error strong { display: block; margin-bottom: 2px; }
.error dl { display: flex; flex-wrap: wrap; gap: 2px 16px; margin: 4px 0 0; font-size: 0.8rem; }
.error dl div { display: flex; gap: 5px; }
.error dt { font-weight: 600; }
.error dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.reasoning { margin-top: 12px; }
.reasoning summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
.reasoning pre { margin: 6px 0 0; white-space: pre-wrap; max-height: 180px; overflow: auto; background: var(--field); border: 1px solid var(--border); border-radius: 8px; padding: 8px 10px; }
.answer-text { white-space: pre-wrap; margin: 12px 0 0; }
.images { display: grid; gap: 12px; margin-top: 12px; }
.images figure { margin: 0; }
.images img { display: block; max-width: 100%; max-height: 70vh; height: auto; border-radius: 10px; border: 1px solid var(--border); background: repeating-conic-gradient(var(--field) 0 25%, var(--bg) 0 50%) 0 0 / 16px 16px; }
.images figcaption { margin-top: 4px; color: var(--muted); font-size: 0.8rem; }
.images figcaption a { color: var(--accent); margin-left: 8px; }
.ids { margin: 10px 0 0; overflow-wrap: anywhere; }
.ids:empty { display: none; }
.gallery { list-style: none; margin: 12px 0 0; padding: 0; display: grid; gap: 14px; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); }
.gallery li { border: 1px solid var(--border); border-radius: 10px; overflow: hidden; background: var(--field); display: flex; flex-direction: column; }
.gallery button.thumb { padding: 0; border: 0; border-radius: 0; background: none; display: block; width: 100%; aspect-ratio: 1; cursor: zoom-in; }
.gallery img { width: 100%; height: 100%; object-fit: cover; display: block; }
.gallery .caption { padding: 8px 10px; font-size: 0.78rem; display: grid; gap: 2px; }
.gallery .prompt { font-size: 0.84rem; font-weight: 500; overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
.gallery .id { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.72rem; }
@media (max-width: 760px) {
  .top { padding: 14px 14px 4px; }
  .layout { grid-template-columns: minmax(0, 1fr); padding: 10px 14px 24px; gap: 14px; }
  .controls { position: static; }
  .gallery { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
`;
