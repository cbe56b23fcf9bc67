import { playgroundBasics } from './playground-script-basics.js';
import { playgroundGallery } from './playground-script-gallery.js';
import { playgroundInput } from './playground-script-input.js';
import { playgroundModels } from './playground-script-models.js';
import { playgroundResult } from './playground-script-result.js';
import { playgroundSend } from './playground-script-send.js';
import { playgroundStats } from './playground-script-stats.js';

/**
 * The playground's script, run in the browser as it is written (no build
 * step): it lists the models, sends a chat completion as a stream and reads
 * its SSE (the gateway's `: queue position N`, `: generating Ns`,
 * `: keep-alive` and `: served-by …` comments, reasoning and image chunks,
 * an error event), keeps the session's results, and polls the live figures
 * while the tab is visible. Every text from the network reaches the page as
 * text (`textContent`), never as markup, and only `data:image/` and http(s)
 * URLs become image sources.
 *
 * Its parts share one function scope, in this order; functions they call
 * in one another are declarations, so each may be called from any part once
 * the page has loaded.
 */
export const playgroundScript =
  "\n(() => {\n  'use strict';\n" +
  playgroundBasics +
  playgroundModels +
  playgroundInput +
  playgroundResult +
  playgroundSend +
  playgroundGallery +
  playgroundStats +
  '\n  loadModels();\n  pollStats();\n})();\n';
