import { z } from 'zod';
import { LiftedString } from '../../lib/json/json-lifted-string.js';

/**
 * The parts of a `GenerateContentResponse` the gateway reads. Deliberately
 * minimal and tolerant: unknown fields are dropped, and `content` may be `{}`
 * or missing on blocked answers.
 */
const partSchema = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  // Big image data arrives lifted out of the JSON (see gemini-lifted-images.ts).
  inlineData: z.object({ mimeType: z.string().optional(), data: z.union([z.string(), z.instanceof(LiftedString)]) }).optional(),
});

const modalityCountSchema = z.object({ modality: z.string().optional(), tokenCount: z.number().optional() });

export const geminiUsageSchema = z.object({
  promptTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  totalTokenCount: z.number().optional(),
  cachedContentTokenCount: z.number().optional(),
  candidatesTokensDetails: z.array(modalityCountSchema).optional(),
  promptTokensDetails: z.array(modalityCountSchema).optional(),
});

export const geminiErrorStatusSchema = z.object({
  code: z.number().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  details: z.array(z.looseObject({ '@type': z.string().optional() })).optional(),
});

export const geminiResponseSchema = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(partSchema).optional() }).nullish(),
        finishReason: z.string().optional(),
        finishMessage: z.string().optional(),
      }),
    )
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  usageMetadata: geminiUsageSchema.optional(),
  /** Mid-stream failures arrive as an event holding only this. */
  error: geminiErrorStatusSchema.optional(),
});

export type GeminiPart = z.infer<typeof partSchema>;
export type GeminiUsage = z.infer<typeof geminiUsageSchema>;
export type GeminiErrorStatus = z.infer<typeof geminiErrorStatusSchema>;
export type GeminiResponse = z.infer<typeof geminiResponseSchema>;

/** One request part: text or inline image bytes. */
export type GeminiRequestPart = { text: string } | { inlineData: { mimeType: string; data: string } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiRequestPart[];
}

/** The `generateContent` request body the gateway sends. */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  generationConfig: {
    responseModalities: string[];
    imageConfig?: { aspectRatio?: string; imageSize?: string };
    temperature?: number;
    seed?: number;
    maxOutputTokens?: number;
    thinkingConfig?: { includeThoughts: boolean };
  };
  safetySettings?: { category: string; threshold: string }[];
}
