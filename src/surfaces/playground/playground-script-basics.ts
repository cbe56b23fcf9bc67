/**
 * What every part of the playground's script uses: element lookup, the API
 * base under the page's path, session storage, the key field and the
 * request headers it makes, and the OpenAI error box.
 * Browser code in a raw string (no backticks or placeholders inside), a part of the script `playground-script.ts` assembles.
 */
export const playgroundBasics = String.raw`
  const byId = (id) => document.getElementById(id);
  const base = location.pathname.replace(/\/playground$/, '');
  const api = (path) => base + path;
  const keyStorage = 'image-gateway.playground.key';
  const modelStorage = 'image-gateway.playground.model';

  const keyInput = byId('key');
  const modelSelect = byId('model');
  const modelInfo = byId('model-info');
  const promptInput = byId('prompt');
  const sizeInput = byId('size');
  const form = byId('compose');
  const sendButton = byId('send');
  const stopButton = byId('stop');
  const fileInput = byId('image-file');
  const drop = byId('drop');

  const session = {
    get(name) { try { return sessionStorage.getItem(name) || ''; } catch { return ''; } },
    set(name, value) { try { if (value) sessionStorage.setItem(name, value); else sessionStorage.removeItem(name); } catch {} },
  };

  keyInput.value = session.get(keyStorage);
  keyInput.addEventListener('input', () => session.set(keyStorage, keyInput.value.trim()));
  keyInput.addEventListener('change', () => { loadModels(); pollStats(); });

  function requestHeaders(json) {
    const headers = {};
    if (json) headers['content-type'] = 'application/json';
    const key = keyInput.value.trim();
    if (key) headers.authorization = 'Bearer ' + key;
    return headers;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const seconds = (ms) => (ms / 1000).toFixed(1) + ' s';
  const kilobytes = (bytes) => bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + ' MB' : Math.max(1, Math.round(bytes / 1024)) + ' KB';

  /** The OpenAI error of a failed answer, or one made from what came instead. */
  async function errorOf(response) {
    const text = await response.text().catch(() => '');
    try {
      const parsed = JSON.parse(text);
      if (parsed && parsed.error) return Object.assign({ status: response.status }, parsed.error);
    } catch {}
    return { status: response.status, message: text.slice(0, 300) || response.statusText || 'The gateway answered ' + response.status + '.', type: null, code: null, param: null };
  }

  function renderError(container, error) {
    container.replaceChildren();
    container.append(element('strong', null, error.message || 'Something went wrong.'));
    const details = element('dl');
    for (const [name, value] of [['HTTP', error.status], ['code', error.code], ['param', error.param], ['type', error.type]]) {
      if (value === undefined || value === null || value === '') continue;
      const pair = element('div');
      pair.append(element('dt', null, name), element('dd', null, value));
      details.append(pair);
    }
    if (details.childElementCount > 0) container.append(details);
    container.hidden = false;
  }
`;
