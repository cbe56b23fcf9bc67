/**
 * The result pane and `Run`, one streamed request as the page sees it: its
 * progress comments, reasoning, images (data URLs and hosted URLs, shown
 * once each), error, timings and ids.
 * Browser code in a raw string (no backticks or placeholders inside), a part of the script `playground-script.ts` assembles.
 */
export const playgroundResult = String.raw`
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
`;
