import { playgroundScript } from './playground-script.js';
import { playgroundStyle } from './playground-style.js';

/** The page's markup: no inline handlers or style attributes, which the page's Content-Security-Policy would block. */
const body = `
<header class="top">
  <div class="brand">
    <span class="logo" aria-hidden="true"></span>
    <div>
      <h1>image-gateway <span class="muted">playground</span></h1>
      <p class="muted small">OpenAI-compatible image requests, streamed from this gateway.</p>
    </div>
  </div>
  <div class="key-field">
    <label for="key">Gateway key</label>
    <input id="key" type="password" autocomplete="off" spellcheck="false" placeholder="sk-… (not needed on an open gateway)">
    <p class="hint">Kept in this tab's session storage; sent as <code>Authorization: Bearer</code>, never in the URL.</p>
  </div>
</header>
<main class="layout">
  <section class="controls panel" aria-labelledby="compose-title">
    <h2 id="compose-title">Request</h2>
    <form id="compose" novalidate>
      <div class="field">
        <label for="model">Model</label>
        <select id="model"><option value="auto">auto</option></select>
        <p id="model-info" class="hint" aria-live="polite"></p>
      </div>
      <div class="field">
        <label for="prompt">Prompt</label>
        <textarea id="prompt" rows="5" placeholder="a lighthouse at dusk, watercolour — or, with an image: grayscale"></textarea>
        <p class="hint"><kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>Enter</kbd> sends, <kbd>Esc</kbd> stops.</p>
      </div>
      <div class="field">
        <span class="label" id="image-label">Input image <span class="muted">(optional: image-to-image)</span></span>
        <div id="drop" class="drop" role="group" aria-labelledby="image-label">
          <input id="image-file" class="visually-hidden" type="file" accept="image/*">
          <label for="image-file" class="drop-text">Drop an image here, paste one, or <span class="link">choose a file</span></label>
          <div id="attachment" class="attachment" hidden>
            <img id="attachment-preview" alt="The input image">
            <div class="attachment-info"><span id="attachment-name"></span><span id="attachment-size" class="muted small"></span></div>
            <button id="attachment-remove" type="button" class="ghost">Remove</button>
          </div>
        </div>
      </div>
      <div class="row">
        <div class="field">
          <label for="size">Size</label>
          <input id="size" list="sizes" autocomplete="off" spellcheck="false" placeholder="auto">
          <datalist id="sizes"><option value="512x512"><option value="1024x1024"><option value="1536x1024"><option value="1024x1536"><option value="1920x1080"></datalist>
        </div>
        <div class="field count">
          <label for="count">Images</label>
          <select id="count"><option>1</option><option>2</option><option>3</option><option>4</option></select>
        </div>
      </div>
      <div class="actions">
        <button id="send" type="submit" class="primary">Generate</button>
        <button id="stop" type="button" class="ghost" disabled>Stop</button>
      </div>
    </form>
    <section class="stats" aria-labelledby="stats-title">
      <div class="stats-head"><h2 id="stats-title">Live</h2><span id="stats-summary" class="muted small"></span></div>
      <table id="stats-table" hidden>
        <thead><tr><th scope="col">Instance</th><th scope="col">Circuit</th><th scope="col">Active</th><th scope="col">Waiting</th><th scope="col">Done</th></tr></thead>
        <tbody id="stats-body"></tbody>
      </table>
      <p id="stats-note" class="hint"></p>
    </section>
  </section>
  <section class="results" aria-labelledby="result-title">
    <div class="panel run" id="run">
      <div class="run-head">
        <h2 id="result-title">Result</h2>
        <span id="run-meta" class="muted small"></span>
      </div>
      <p id="run-status" class="status" role="status" aria-live="polite">Type a prompt and press Generate.</p>
      <div id="run-error" class="error" role="alert" hidden></div>
      <details id="run-reasoning-box" class="reasoning" hidden open>
        <summary>Reasoning</summary>
        <pre id="run-reasoning"></pre>
      </details>
      <p id="run-text" class="answer-text" hidden></p>
      <div id="run-images" class="images"></div>
      <p id="run-ids" class="muted small ids"></p>
    </div>
    <div class="panel">
      <div class="run-head"><h2>This session</h2><span id="gallery-count" class="muted small"></span></div>
      <p id="gallery-empty" class="hint">Results of this tab appear here, newest first.</p>
      <ol id="gallery" class="gallery"></ol>
    </div>
  </section>
</main>`;

/** The playground's three texts: the style sheet and script (hashed into its CSP) and the page holding them. */
export const playgroundPage = {
  style: playgroundStyle,
  script: playgroundScript,
  html:
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="color-scheme" content="light dark">\n' +
    '<title>image-gateway playground</title>\n' +
    // An empty icon: the browser's own /favicon.ico request would only meet a 404.
    '<link rel="icon" href="data:,">\n' +
    `<style>${playgroundStyle}</style>\n</head>\n<body>${body}\n<script>${playgroundScript}</script>\n</body>\n</html>\n`,
} as const;
