/**
 * Sending: the chat completion request, the SSE read as it arrives (a
 * multi-megabyte data line is searched only where new bytes landed), Stop,
 * and the keyboard (Ctrl/Cmd+Enter sends, Esc stops).
 * Browser code in a raw string (no backticks or placeholders inside), a part of the script `playground-script.ts` assembles.
 */
export const playgroundSend = String.raw`
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
`;
