/**
 * The live view: `GET /playground/stats` every 3 s while the tab is visible.
 * Browser code in a raw string (no backticks or placeholders inside), a part of the script `playground-script.ts` assembles.
 */
// biome-ignore lint/complexity/noUselessStringRaw: every part is raw, so a backslash added later means what it says in the browser.
export const playgroundStats = String.raw`
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
`;
