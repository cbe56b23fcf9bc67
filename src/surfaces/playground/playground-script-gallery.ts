/**
 * The session's results, newest first, with timings and ids; a click shows
 * one again.
 * Browser code in a raw string (no backticks or placeholders inside), a part of the script `playground-script.ts` assembles.
 */
// biome-ignore lint/complexity/noUselessStringRaw: every part is raw, so a backslash added later means what it says in the browser.
export const playgroundGallery = String.raw`
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
`;
