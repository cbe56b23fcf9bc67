import { z } from 'zod';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { got, sizeField } from '../shared/request-size-fields.js';

/**
 * The part of OpenAI's Responses API request used for image work: `input`
 * as a string or message items with `input_text` / `input_image` parts,
 * `instructions`, `model`, and `tools: [{type: "image_generation", …}]`.
 * Unknown fields pass (`.loose()`), as SDKs add some.
 */

const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  z.enum(values, { error: (issue) => `must be one of ${values.map((value) => `"${value}"`).join(', ')}; ${got(issue.input)}` });

const imageUrl = z.custom<string | LiftedString>(
  (value) => (typeof value === 'string' && value.length > 0) || value instanceof LiftedString,
  { error: (issue) => `must be a data: or https: URL string; ${got(issue.input)}` },
);

const inputText = z.object({ type: z.literal('input_text'), text: z.string() }).loose();
const outputText = z.object({ type: z.literal('output_text'), text: z.string() }).loose();
const inputImage = z
  .object({
    type: z.literal('input_image'),
    image_url: imageUrl.nullish(),
    file_id: z.string().nullish(),
    detail: oneOf(['auto', 'low', 'high']).nullish(),
  })
  .loose()
  .refine((part) => part.file_id == null, {
    error: 'file_id needs hosted files, which this gateway does not keep yet; send image_url (data: or https:) instead',
    path: ['file_id'],
  })
  .refine((part) => part.image_url != null, { error: 'an input_image needs image_url (data: or https:)', path: ['image_url'] });

const contentPart = z.discriminatedUnion('type', [inputText, inputImage, outputText], {
  error: (issue) =>
    issue.code === 'invalid_union' && issue.input && typeof issue.input === 'object'
      ? `content part type ${JSON.stringify((issue.input as { type?: unknown }).type)} is not supported; supported types are "input_text", "input_image" and "output_text"`
      : 'must be an object with a "type" of "input_text", "input_image" or "output_text"',
});

const messageItem = z
  .object({
    type: z.literal('message').optional(),
    role: oneOf(['user', 'assistant', 'system', 'developer']),
    content: z.union([z.string(), z.array(contentPart)], { error: 'must be a string or an array of content parts' }),
  })
  .loose();

const imageGenerationTool = z
  .object({
    type: z.literal('image_generation'),
    model: z.string().nullish(),
    size: sizeField.nullish(),
    quality: oneOf(['auto', 'low', 'medium', 'high']).nullish(),
    background: oneOf(['auto', 'transparent', 'opaque']).nullish(),
    output_format: oneOf(['png', 'jpeg', 'webp']).nullish(),
    output_compression: z.int('must be an integer from 0 to 100').min(0).max(100, 'must be an integer from 0 to 100').nullish(),
    partial_images: z.int('must be an integer from 0 to 3').min(0).max(3, 'must be an integer from 0 to 3').nullish(),
    moderation: oneOf(['auto', 'low']).nullish(),
    input_fidelity: oneOf(['high', 'low']).nullish(),
  })
  .loose();

const tool = z
  .custom<z.output<typeof imageGenerationTool>>(() => true)
  .superRefine((value, context) => {
    const type = (value as { type?: unknown } | null)?.type;
    if (type !== 'image_generation') {
      context.addIssue({
        code: 'custom',
        input: value,
        message: `tool type ${JSON.stringify(type)} is not supported here; this gateway serves the "image_generation" tool`,
      });
      return;
    }
    const result = imageGenerationTool.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue });
  });

export const responsesRequestSchema = z
  .object({
    model: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').default('auto'),
    input: z.union([z.string().min(1, 'must not be empty'), z.array(messageItem).min(1, 'must hold at least one item')], {
      error: 'must be a string or an array of message items',
    }),
    instructions: z.string().nullish(),
    tools: z.array(tool).nullish(),
    tool_choice: z
      .union([oneOf(['auto', 'none', 'required']), z.object({ type: z.literal('image_generation') }).loose()], {
        error: 'must be "auto", "none", "required" or {"type": "image_generation"}',
      })
      .nullish(),
    stream: z.boolean().nullish(),
    store: z.boolean().nullish(),
    background: z.boolean().nullish(),
    previous_response_id: z.string().nullish(),
    max_output_tokens: z.int('must be a positive integer').positive('must be a positive integer').nullish(),
    temperature: z.number().min(0, 'must be between 0 and 2').max(2, 'must be between 0 and 2').nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    user: z.string().max(256).nullish(),
  })
  .loose();

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type ResponsesMessage = Exclude<ResponsesRequest['input'], string>[number];
export type ImageGenerationTool = z.output<typeof imageGenerationTool>;
