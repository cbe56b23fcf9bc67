import { z } from 'zod';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { aspectRatioField, got, sizeField } from '../shared/request-size-fields.js';

/**
 * The OpenAI chat completion request as this gateway accepts it. Inbound
 * schemas are strict about the fields we read and tolerant of the rest:
 * unknown fields pass through (`.loose()`), as OpenAI clients send many.
 */

/**
 * An image URL: what `schema` accepts, or a big data URL the body reader
 * lifted out of the JSON as bytes (read-json-body.ts). A lifted value is
 * always a non-empty string of printable ASCII, which every image URL schema
 * here accepts, so it passes unchecked; anything else gets exactly the
 * issues `schema` reports, so error bodies do not change.
 */
function orLifted(schema: z.ZodType<string>) {
  return z
    .custom<string | LiftedString>(() => true)
    .superRefine((value, context) => {
      if (value instanceof LiftedString) return;
      const result = schema.safeParse(value);
      if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue });
    });
}

const textPart = z.object({ type: z.literal('text'), text: z.string() }).loose();

const imageUrlObject = z
  .object({
    url: orLifted(z.string({ error: 'must be a string holding a data: or https: URL' }).min(1, 'must not be empty')),
    detail: z.enum(['auto', 'low', 'high'], { error: (issue) => `must be one of "auto", "low", "high"; ${got(issue.input)}` }).optional(),
  })
  .loose();

const imageUrlString = orLifted(z.string().min(1, 'must not be empty'));

/**
 * `image_url`: an object {url, detail?}, or the URL alone as a string. The
 * form is picked by the value's type rather than with `z.union`: a zod 4
 * union that fails reports only the issues of its one branch whose issues do
 * not abort, and the string branch (a refinement, see `orLifted`) never
 * aborts, so `{url, detail: "ultra"}` and `null` were both answered
 * "expected string", naming neither the field at fault nor what it takes.
 */
const imageUrlValue = z
  .custom<string | LiftedString | z.output<typeof imageUrlObject>>(() => true)
  .superRefine((value, context) => {
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    const schema = typeof value === 'string' || value instanceof LiftedString ? imageUrlString : isObject ? imageUrlObject : undefined;
    if (!schema) {
      context.addIssue({
        code: 'invalid_type',
        expected: 'object',
        input: value,
        message: `must be an object {url, detail?} with detail "auto", "low" or "high", or a URL string; ${got(value)}`,
      });
      return;
    }
    const result = schema.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue });
  });

const imageUrlPart = z.object({ type: z.literal('image_url'), image_url: imageUrlValue }).loose();

const contentPart = z.discriminatedUnion('type', [textPart, imageUrlPart], {
  error: (issue) =>
    issue.code === 'invalid_union' && issue.input && typeof issue.input === 'object'
      ? `content part type ${JSON.stringify((issue.input as { type?: unknown }).type)} is not supported; supported types are "text" and "image_url"`
      : 'must be an object with a "type" of "text" or "image_url"',
});

const messageImage = z
  .object(
    {
      type: z.literal('image_url').optional(),
      image_url: z
        .object(
          { url: orLifted(z.string({ error: (issue) => `must be a data: or https: URL string; ${got(issue.input)}` })) },
          { error: (issue) => `must be an object {url}, as message.images[] holds it in an answer; ${got(issue.input)}` },
        )
        .loose(),
    },
    { error: (issue) => `must be {"type":"image_url","image_url":{"url":...}}; ${got(issue.input)}` },
  )
  .loose();

const message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool'], {
      error: 'must be one of "system", "user", "assistant", "tool"',
    }),
    content: z
      .union([z.string(), z.array(contentPart), z.null()], {
        error: 'must be a string or an array of content parts',
      })
      .optional(),
    name: z.string().optional(),
    tool_call_id: z.string().optional(),
    tool_calls: z.array(z.unknown()).optional(),
    /** Images of an earlier assistant turn (seed 004's `message.images`), echoed back by chat clients. */
    images: z.array(messageImage).optional(),
  })
  .loose();

const tool = z
  .object({
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.unknown().optional() }).loose(),
  })
  .loose();

const toolChoice = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.object({ type: z.literal('function'), function: z.object({ name: z.string() }).loose() }).loose(),
  ],
  { error: 'must be "none", "auto", "required" or {type:"function", function:{name}}' },
);

const reasoningLevel = z.enum(['low', 'medium', 'high'], { error: 'must be one of "low", "medium", "high"' });

export const chatRequestSchema = z
  .object({
    // Model ids run to a few dozen characters; a longer name is an error, and it is echoed in MODEL_NOT_FOUND.
    model: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').default('auto'),
    messages: z.array(message).min(1, 'must contain at least one message'),
    // OpenAI's SDKs type it `boolean | null`: null streams no more than an absent field does.
    stream: z
      .boolean()
      .nullish()
      .transform((value) => value ?? false),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullish(),
    temperature: z.number().min(0, 'must be between 0 and 2').max(2, 'must be between 0 and 2').nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.int('must be a positive integer').positive('must be a positive integer').nullish(),
    max_completion_tokens: z.int('must be a positive integer').positive('must be a positive integer').nullish(),
    n: z
      .int('must be an integer from 1 to 10')
      .min(1, 'must be an integer from 1 to 10')
      .max(10, 'must be an integer from 1 to 10')
      .nullish(),
    seed: z.int('must be an integer').nullish(),
    size: sizeField.nullish(),
    aspect_ratio: aspectRatioField.nullish(),
    image_config: z
      .object({
        aspect_ratio: aspectRatioField.optional(),
        image_size: z.enum(['512', '1K', '2K', '4K'], { error: 'must be one of "1K", "2K", "4K" (or "512")' }).optional(),
      })
      .loose()
      .nullish(),
    modalities: z.array(z.enum(['text', 'image'], { error: 'must contain only "text" and "image"' })).nullish(),
    quality: z.string().nullish(),
    background: z.string().nullish(),
    output_format: z.enum(['png', 'jpeg', 'webp'], { error: 'must be one of "png", "jpeg", "webp"' }).nullish(),
    tools: z.array(tool).nullish(),
    tool_choice: toolChoice.nullish(),
    response_format: z
      .object({ type: z.enum(['text', 'json_object', 'json_schema'], { error: 'must be "text", "json_object" or "json_schema"' }) })
      .loose()
      .nullish(),
    min_reasoning_level: reasoningLevel.nullish(),
    reasoning_effort: z
      .enum(['minimal', 'low', 'medium', 'high'], { error: 'must be one of "minimal", "low", "medium", "high"' })
      .nullish(),
    project_id: z.string().min(1, 'must not be empty').nullish(),
    user: z.string().nullish(),
    /** Keep the answer for `GET /v1/chat/completions/{id}` (the gateway's results store; never sent upstream). */
    store: z.boolean('must be true or false').nullish(),
  })
  .loose();

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];
export type ChatContentPart = Exclude<ChatMessage['content'], string | null | undefined>[number];
