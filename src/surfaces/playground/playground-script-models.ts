/**
 * The model list from `GET /v1/models`: ids and aliases, and what the chosen
 * one can do and which surfaces it serves.
 * Browser code in a raw string (no backticks or placeholders inside), a part of the script `playground-script.ts` assembles.
 */
// biome-ignore lint/complexity/noUselessStringRaw: every part is raw, so a backslash added later means what it says in the browser.
export const playgroundModels = String.raw`
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
`;
