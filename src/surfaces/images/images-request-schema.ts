import { z } from 'zod';
import { LiftedString } from '../../lib/json/json-lifted-string.js';
import { got, sizeField } from '../shared/request-size-fields.js';

/** Longest prompt OpenAI's GPT image models take. */
export const maxPromptCharacters = 32_000;

const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  z.enum(values, { error: (issue) => `must be one of ${values.map((value) => `"${value}"`).join(', ')}; ${got(issue.input)}` });

const integer = (min: number, max: number) =>
  z
    .int(`must be an integer from ${min} to ${max}`)
    .min(min, `must be an integer from ${min} to ${max}`)
    .max(max, `must be an integer from ${min} to ${max}`);

/** An image URL (data: or https:), or a big data URL the body reader lifted out as bytes. */
const imageUrl = z.custom<string | LiftedString>(
  (value) => (typeof value === 'string' && value.length > 0) || value instanceof LiftedString,
  { error: (issue) => `must be a data: or https: URL string; ${got(issue.input)}` },
);

const imageReference = z
  .object(
    { image_url: imageUrl, file_id: z.string().nullish() },
    { error: (issue) => `must be an object {"image_url": "data:… or https://…"}; ${got(issue.input)}` },
  )
  .loose()
  .refine((value) => value.file_id == null, {
    error: 'file_id needs the hosted files of the results store, which this gateway does not have yet; send image_url instead',
    path: ['file_id'],
  });

/**
 * The fields of `POST /v1/images/generations` and `/v1/images/edits`, as
 * OpenAI's `image_generate_params` and `image_edit_params` name them; an edit
 * sent as JSON carries its images as `images: [{image_url}]` and its mask as
 * `mask: {image_url}`. Unknown fields pass (`.loose()`), as SDKs add some.
 */
export const imagesRequestSchema = z
  .object({
    prompt: z
      .string({ error: (issue) => `must be a string; ${got(issue.input)}` })
      .min(1, 'must not be empty')
      .max(maxPromptCharacters, `must be at most ${maxPromptCharacters} characters`),
    model: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').nullish(),
    n: integer(1, 10).nullish(),
    size: sizeField.nullish(),
    quality: oneOf(['auto', 'low', 'medium', 'high', 'standard', 'hd']).nullish(),
    style: oneOf(['vivid', 'natural']).nullish(),
    background: oneOf(['auto', 'transparent', 'opaque']).nullish(),
    output_format: oneOf(['png', 'jpeg', 'webp']).nullish(),
    output_compression: integer(0, 100).nullish(),
    moderation: oneOf(['auto', 'low']).nullish(),
    input_fidelity: oneOf(['high', 'low']).nullish(),
    user: z.string().max(256, 'must be at most 256 characters').nullish(),
    response_format: oneOf(['b64_json', 'url']).nullish(),
    stream: z.boolean().nullish(),
    partial_images: integer(0, 3).nullish(),
    images: z.array(imageReference).min(1, 'must hold at least one image').nullish(),
    mask: imageReference.nullish(),
  })
  .loose();

export type ImagesRequest = z.infer<typeof imagesRequestSchema>;
