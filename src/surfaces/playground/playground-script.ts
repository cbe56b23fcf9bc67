/**
 * The playground's script, run in the browser as it is written here (no
 * build step): it lists the models, sends a chat completion as a stream and
 * reads its SSE (the gateway's `: queue position N`, `: generating Ns`,
 * `: keep-alive` and `: served-by …` comments, reasoning and image chunks,
 * an error event), keeps the session's results, and polls the live
 * figures while the tab is visible. Every text from the network reaches
 * the page as text (`textContent`), never as markup, and only `data:image/`
 * and http(s) URLs become image sources.
 *
 * It is a raw string: no backticks and no template placeholders inside.
 */
export const playgroundScript = String.raw`
(() => {
  'use strict';
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

  // ---- models ----
  let models = [];

  async function loadModels() {
    modelInfo.textContent = 'Loading models…';
    try {
      const response = await fetch(api('/v1/models'), { headers: requestHeaders(false) });
      // A keyed gateway and no key (or a wrong one): point at the field that needs it.
      keyInput.classList.toggle('needed', response.status === 401);
      if (!response.ok) {
        const error = await errorOf(response);
        modelInfo.textContent = (response.status === 401 ? 'Enter a gateway key to list the models: ' : 'Models: ') + error.message;
        return;
      }
      const body = await response.json();
      models = Array.isArray(body.data) ? body.data : [];
    } catch (error) {
      modelInfo.textContent = 'Could not reach the gateway: ' + error.message;
      return;
    }
    const wanted = modelSelect.value !== 'auto' ? modelSelect.value : session.get(modelStorage);
    modelSelect.replaceChildren(element('option', null, 'auto (the gateway chooses)'));
    modelSelect.firstChild.value = 'auto';
    for (const model of models) {
      const option = element('option', null, model.alias_for ? model.id + ' → ' + model.alias_for : model.id);
      option.value = model.id;
      modelSelect.append(option);
    }
    const drawing = models.find((model) => model.capabilities && model.capabilities.imageOutput);
    const choice = models.find((model) => model.id === wanted) || drawing;
    modelSelect.value = choice ? choice.id : 'auto';
    describeModel();
  }

  function describeModel() {
    const model = models.find((entry) => entry.id === modelSelect.value);
    if (!model) {
      modelInfo.textContent = models.length + ' models; "auto" picks one that can do what the request needs.';
      return;
    }
    const can = [];
    const capabilities = model.capabilities || {};
    if (capabilities.imageOutput) can.push('draws images');
    if (capabilities.imageInput) can.push('takes input images');
    if (Array.isArray(model.surfaces)) can.push('serves ' + model.surfaces.join(', '));
    if (Array.isArray(model.instances)) can.push('on ' + model.instances.join(', '));
    modelInfo.textContent = can.join(' · ');
  }

  modelSelect.addEventListener('change', () => {
    session.set(modelStorage, modelSelect.value);
    describeModel();
  });

  // ---- the input image ----
  let attached = null;

  function attach(file) {
    if (!file) return;
    if (!/^image\//.test(file.type)) {
      showFormError('That file is not an image (' + (file.type || 'unknown type') + '); pick a PNG, JPEG, WebP or GIF.');
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      attached = { name: file.name || 'pasted image', size: file.size, dataUrl: String(reader.result) };
      byId('attachment-preview').src = attached.dataUrl;
      byId('attachment-name').textContent = attached.name;
      byId('attachment-size').textContent = kilobytes(attached.size);
      byId('attachment').hidden = false;
    };
    reader.onerror = () => showFormError('Could not read that file: ' + (reader.error ? reader.error.message : 'unknown error'));
    reader.readAsDataURL(file);
  }

  function detach() {
    attached = null;
    fileInput.value = '';
    byId('attachment').hidden = true;
    byId('attachment-preview').removeAttribute('src');
  }

  fileInput.addEventListener('change', () => attach(fileInput.files && fileInput.files[0]));
  byId('attachment-remove').addEventListener('click', detach);
  drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('dragging'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('dragging');
    attach(event.dataTransfer && event.dataTransfer.files[0]);
  });
  document.addEventListener('paste', (event) => {
    const items = event.clipboardData ? Array.from(event.clipboardData.items) : [];
    const image = items.find((item) => item.kind === 'file' && /^image\//.test(item.type));
    if (!image) return;
    event.preventDefault();
    attach(image.getAsFile());
  });

  // ---- a run: one streamed request ----
  const runStatus = byId('run-status');
  const runError = byId('run-error');
  const runImages = byId('run-images');
  const runText = byId('run-text');
  const runReasoning = byId('run-reasoning');
  const runReasoningBox = byId('run-reasoning-box');
  const runMeta = byId('run-meta');
  const runIds = byId('run-ids');
  const markdownImage = /!\[[^\]]*\]\(([^)\s]+)\)/g;
  let running = null;

  function status(text, busy) {
    runStatus.textContent = text;
    runStatus.classList.toggle('busy', Boolean(busy));
  }

  function showFormError(message) {
    renderError(runError, { message: message });
  }

  function clearResult() {
    runError.hidden = true;
    runError.replaceChildren();
    runImages.replaceChildren();
    runText.hidden = true;
    runText.textContent = '';
    runReasoning.textContent = '';
    runReasoningBox.hidden = true;
    runMeta.textContent = '';
    runIds.textContent = '';
  }

  function isImageSource(url) {
    return /^data:image\/[\w.+-]+;base64,/i.test(url) || /^https?:\/\//i.test(url) || url.charAt(0) === '/';
  }

  function imageFigure(url, index, run) {
    const figure = element('figure');
    const image = element('img');
    image.alt = 'Generated image ' + (index + 1) + (run.prompt ? ' for: ' + run.prompt.slice(0, 120) : '');
    image.decoding = 'async';
    const caption = element('figcaption');
    image.addEventListener('load', () => {
      const parts = [image.naturalWidth + '×' + image.naturalHeight];
      const type = /^data:image\/([\w.+-]+);base64,/i.exec(url);
      if (type) parts.push(type[1].toUpperCase(), kilobytes(Math.floor((url.length - type[0].length) * 0.75)));
      else parts.push('hosted');
      caption.textContent = parts.join(' · ');
      const download = element('a', null, 'Download');
      download.href = url;
      download.download = (run.id || 'image') + '-' + (index + 1) + '.' + (type ? type[1].replace('jpeg', 'jpg') : 'png');
      caption.append(download);
    });
    image.src = url;
    figure.append(image, caption);
    return figure;
  }

  class Run {
    constructor(prompt, model, hasInput) {
      this.prompt = prompt;
      this.model = model;
      this.hasInput = hasInput;
      this.startedAt = performance.now();
      this.headersAt = null;
      this.firstImageAt = null;
      this.endedAt = null;
      this.id = null;
      this.requestId = null;
      this.servedBy = null;
      this.content = '';
      this.reasoning = '';
      this.images = [];
      this.heartbeats = 0;
      this.error = null;
      this.done = false;
      this.usage = null;
    }

    elapsed() { return performance.now() - this.startedAt; }

    comment(text) {
      if (text === 'keep-alive') {
        this.heartbeats += 1;
        if (!this.images.length) status(this.progress || 'Waiting for the model… heartbeat ' + this.heartbeats + ' at ' + new Date().toLocaleTimeString(), true);
        this.meta();
        return;
      }
      let match = /^queue position (\d+)/.exec(text);
      if (match) { this.progress = 'In the queue: position ' + match[1] + '.'; status(this.progress, true); return; }
      match = /^generating (\d+)s/.exec(text);
      if (match) { this.progress = 'Generating… ' + match[1] + ' s.'; status(this.progress, true); return; }
      match = /^served-by (.*)$/.exec(text);
      if (match) {
        const fields = {};
        for (const pair of match[1].split(' ')) { const at = pair.indexOf('='); if (at > 0) fields[pair.slice(0, at)] = pair.slice(at + 1); }
        this.servedBy = fields;
        this.ids();
      }
    }

    chunk(chunk) {
      if (chunk.id) this.id = chunk.id;
      if (chunk.model) this.servedModel = chunk.model;
      if (chunk.usage) this.usage = chunk.usage;
      const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : null;
      if (!choice || !choice.delta) return;
      const delta = choice.delta;
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content) {
        this.reasoning += delta.reasoning_content;
        runReasoning.textContent = this.reasoning;
        runReasoningBox.hidden = false;
        runReasoning.scrollTop = runReasoning.scrollHeight;
      }
      if (Array.isArray(delta.images)) {
        for (const image of delta.images) if (image && image.image_url && typeof image.image_url.url === 'string') this.addImage(image.image_url.url);
      }
      if (typeof delta.content === 'string' && delta.content) {
        this.content += delta.content;
        markdownImage.lastIndex = 0;
        for (const match of this.content.matchAll(markdownImage)) this.addImage(match[1]);
        const text = this.content.replace(markdownImage, '').trim();
        runText.textContent = text;
        runText.hidden = text === '';
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }

    addImage(url) {
      if (!isImageSource(url) || this.images.includes(url)) return;
      if (this.firstImageAt === null) this.firstImageAt = performance.now();
      this.images.push(url);
      runImages.append(imageFigure(url, this.images.length - 1, this));
      status('Image ' + this.images.length + ' received after ' + seconds(this.elapsed()) + '.', !this.done);
    }

    fail(error) {
      this.error = error;
      renderError(runError, error);
    }

    timings() {
      const parts = [];
      if (this.headersAt !== null) parts.push('answer ' + seconds(this.headersAt - this.startedAt));
      if (this.firstImageAt !== null) parts.push('first image ' + seconds(this.firstImageAt - this.startedAt));
      parts.push('total ' + seconds((this.endedAt || performance.now()) - this.startedAt));
      return parts.join(' · ');
    }

    meta() {
      runMeta.textContent = this.timings() + (this.heartbeats ? ' · ' + this.heartbeats + (this.heartbeats === 1 ? ' heartbeat' : ' heartbeats') : '');
    }

    ids() {
      const parts = [];
      if (this.id) parts.push('id ' + this.id);
      if (this.requestId) parts.push('request ' + this.requestId);
      if (this.servedBy) parts.push('served by ' + this.servedBy.provider + ' (' + this.servedBy.model + ', attempts ' + this.servedBy.attempts + ')');
      runIds.textContent = parts.join(' · ');
    }
  }

  async function readEvents(body, run) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let searchFrom = 0;
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      buffer += decoder.decode(next.value, { stream: true });
      // An image's data line can be megabytes long: look for the blank line only in what is new.
      let end = buffer.indexOf('\n\n', searchFrom);
      while (end >= 0) {
        handleEvent(buffer.slice(0, end), run);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
      searchFrom = Math.max(0, buffer.length - 1);
    }
  }

  function handleEvent(block, run) {
    const data = [];
    for (const line of block.split('\n')) {
      if (line.charAt(0) === ':') run.comment(line.slice(1).trim());
      else if (line.startsWith('data:')) data.push(line.slice(line.charAt(5) === ' ' ? 6 : 5));
    }
    if (data.length === 0) return;
    const text = data.join('\n');
    if (text === '[DONE]') { run.done = true; return; }
    let parsed;
    try { parsed = JSON.parse(text); } catch { return; }
    if (parsed && parsed.error) run.fail(parsed.error);
    else if (parsed) run.chunk(parsed);
  }

  async function send() {
    if (running) return;
    const prompt = promptInput.value.trim();
    clearResult();
    if (!prompt && !attached) {
      showFormError('Type a prompt first (with an input image, say what to do with it, such as "grayscale").');
      promptInput.focus();
      return;
    }
    const content = attached
      ? [{ type: 'text', text: prompt }, { type: 'image_url', image_url: { url: attached.dataUrl } }]
      : prompt;
    const body = { model: modelSelect.value || 'auto', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: content }] };
    const size = sizeInput.value.trim();
    if (size && size !== 'auto') body.size = size;
    const count = Number(byId('count').value);
    if (count > 1) body.n = count;
    const run = new Run(prompt, body.model, Boolean(attached));
    const controller = new AbortController();
    running = { run: run, controller: controller };
    sendButton.disabled = true;
    stopButton.disabled = false;
    status('Sending…', true);
    // Stacked on a phone, the result sits below the form: bring it into view.
    if (matchMedia('(max-width: 760px)').matches) byId('run').scrollIntoView({ behavior: 'smooth', block: 'start' });
    const clock = setInterval(() => run.meta(), 250);
    try {
      const response = await fetch(api('/v1/chat/completions'), { method: 'POST', headers: requestHeaders(true), body: JSON.stringify(body), signal: controller.signal });
      run.headersAt = performance.now();
      run.requestId = response.headers.get('x-request-id');
      run.ids();
      if (!response.ok) run.fail(await errorOf(response));
      else {
        status('Connected; waiting for the model…', true);
        pollStats();
        await readEvents(response.body, run);
        if (!run.done && !run.error) run.fail({ message: 'The stream ended before [DONE]: the connection was cut.', code: null, type: null, param: null });
      }
    } catch (error) {
      if (controller.signal.aborted) run.stopped = true;
      else run.fail({ message: 'Could not reach the gateway: ' + error.message, code: null, type: null, param: null });
    } finally {
      clearInterval(clock);
      run.endedAt = performance.now();
      running = null;
      sendButton.disabled = false;
      stopButton.disabled = true;
      run.meta();
      run.ids();
      if (run.stopped) status('Stopped after ' + seconds(run.endedAt - run.startedAt) + '.', false);
      else if (run.error) status('Failed after ' + seconds(run.endedAt - run.startedAt) + '.', false);
      else status(run.images.length ? 'Done: ' + run.images.length + (run.images.length === 1 ? ' image' : ' images') + ' in ' + seconds(run.endedAt - run.startedAt) + '.' : 'Done: the model answered without an image.', false);
      if (!run.error && !run.stopped) remember(run);
      pollStats();
    }
  }

  form.addEventListener('submit', (event) => { event.preventDefault(); send(); });
  stopButton.addEventListener('click', () => { if (running) running.controller.abort(); });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); send(); }
    else if (event.key === 'Escape' && running) running.controller.abort();
  });

  // ---- the session's gallery ----
  const gallery = byId('gallery');
  let remembered = 0;

  function remember(run) {
    remembered += 1;
    byId('gallery-empty').hidden = true;
    byId('gallery-count').textContent = remembered + (remembered === 1 ? ' result' : ' results');
    const item = element('li');
    if (run.images.length) {
      const open = element('button', 'thumb');
      open.type = 'button';
      open.setAttribute('aria-label', 'Show this result again');
      const thumbnail = element('img');
      thumbnail.alt = run.prompt ? 'Result for: ' + run.prompt.slice(0, 120) : 'Result';
      thumbnail.src = run.images[0];
      open.append(thumbnail);
      open.addEventListener('click', () => showAgain(run));
      item.append(open);
    }
    const caption = element('div', 'caption');
    caption.append(element('span', 'prompt', run.prompt || '(no prompt)'));
    caption.append(element('span', 'muted', (run.hasInput ? 'edit · ' : '') + (run.servedModel || run.model) + ' · ' + run.images.length + (run.images.length === 1 ? ' image' : ' images')));
    caption.append(element('span', 'muted', run.timings()));
    for (const id of [run.id, run.requestId]) {
      if (!id) continue;
      const line = element('span', 'id', id);
      line.title = id;
      caption.append(line);
    }
    item.append(caption);
    gallery.prepend(item);
  }

  function showAgain(run) {
    clearResult();
    runImages.replaceChildren(...run.images.map((url, index) => imageFigure(url, index, run)));
    if (run.reasoning) { runReasoning.textContent = run.reasoning; runReasoningBox.hidden = false; }
    const text = run.content.replace(markdownImage, '').trim();
    runText.textContent = text;
    runText.hidden = text === '';
    runMeta.textContent = run.timings();
    status('From this session: ' + (run.prompt || '(no prompt)'), false);
    const ids = [];
    if (run.id) ids.push('id ' + run.id);
    if (run.requestId) ids.push('request ' + run.requestId);
    runIds.textContent = ids.join(' · ');
    byId('run').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  // ---- live figures ----
  const statsBody = byId('stats-body');
  const statsTable = byId('stats-table');
  const statsNote = byId('stats-note');
  const statsSummary = byId('stats-summary');
  let statsTimer = null;

  async function pollStats() {
    clearTimeout(statsTimer);
    statsTimer = null;
    if (document.visibilityState !== 'visible') return;
    try {
      const response = await fetch(api('/playground/stats'), { headers: requestHeaders(false), cache: 'no-store' });
      if (!response.ok) {
        const error = await errorOf(response);
        statsTable.hidden = true;
        statsSummary.textContent = '';
        statsNote.textContent = response.status === 401 ? 'The live view needs a gateway key.' : error.message;
      } else renderStats(await response.json());
    } catch (error) {
      statsNote.textContent = 'The gateway is not answering (' + error.message + ').';
    } finally {
      if (document.visibilityState === 'visible') { clearTimeout(statsTimer); statsTimer = setTimeout(pollStats, 3000); }
    }
  }

  function renderStats(stats) {
    const instances = Array.isArray(stats.instances) ? stats.instances : [];
    let active = 0;
    let waiting = 0;
    statsBody.replaceChildren();
    for (const instance of instances) {
      const queued = (instance.waiting.stream || 0) + (instance.waiting.nonStream || 0);
      active += instance.active;
      waiting += queued;
      const row = element('tr');
      const name = element('td', 'name', instance.id);
      name.title = instance.type;
      const circuit = element('td');
      circuit.append(element('span', 'dot ' + instance.state), document.createTextNode(instance.state === 'closed' ? 'healthy' : instance.state));
      if (instance.unavailable_for_ms > 0) circuit.title = 'kept out for ' + seconds(instance.unavailable_for_ms);
      row.append(name, circuit, element('td', null, instance.active + '/' + instance.concurrency), element('td', null, queued), element('td', null, instance.completed + (instance.failed ? ' (' + instance.failed + ' failed)' : '')));
      statsBody.append(row);
    }
    statsTable.hidden = instances.length === 0;
    statsSummary.textContent = instances.length + (instances.length === 1 ? ' instance' : ' instances') + ' · ' + active + ' active · ' + waiting + ' waiting' + (stats.status === 'ok' ? '' : ' · ' + stats.status);
    statsNote.textContent = 'Updated ' + new Date().toLocaleTimeString() + ', every 3 s while this tab is visible.';
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') pollStats();
    else { clearTimeout(statsTimer); statsTimer = null; }
  });

  loadModels();
  pollStats();
})();
`;
