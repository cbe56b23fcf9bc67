import { createRouteHandlers } from 'image-gateway/next';

// sharp is a native module, and a generation is never a static page.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

// Serves /v1/chat/completions and /v1/models; other /v1/* paths get a 404 in OpenAI error form.
export const { GET, POST } = createRouteHandlers({ providers: [{ type: 'local' }] });
