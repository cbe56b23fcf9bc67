/**
 * The input image for image-to-image: chosen, dropped or pasted, read as a
 * data URL and shown as a thumbnail.
 * Browser code in a raw string (no backticks or placeholders inside), a part of the script `playground-script.ts` assembles.
 */
export const playgroundInput = String.raw`
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
`;
