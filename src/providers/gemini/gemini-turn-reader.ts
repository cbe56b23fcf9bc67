import { upstreamExcerpt } from '../../errors/upstream-error.js';
import type { ImageData } from '../../images/image-data.js';
import type { FinishReason, GenerationEvent, GenerationUsage } from '../../provider.js';
import { promptDetails } from '../shared/generation-usage.js';
import { geminiAnswerError, geminiStatusError, kindForFinishReason } from './gemini-errors.js';
import { imageFromInlineData } from './gemini-lifted-images.js';
import { type GeminiResponse, type GeminiUsage, geminiResponseSchema } from './gemini-wire.js';

export interface GeminiTurnSummary {
  usage: GenerationUsage | undefined;
  finishReason: FinishReason;
}

export interface GeminiTurnReaderOptions {
  provider: string;
  url: string;
  wantsImage: boolean;
  /** A turn without an image is NO_IMAGE; otherwise its held text is the answer. */
  imageRequired: boolean;
}

/** Maps Gemini's usage onto ours: thoughts count as completion, IMAGE modality as image tokens. */
export function geminiUsage(usage: GeminiUsage): GenerationUsage {
  const thoughts = usage.thoughtsTokenCount ?? 0;
  const promptTokens = usage.promptTokenCount ?? 0;
  const completionTokens = (usage.candidatesTokenCount ?? 0) + thoughts;
  const imageTokens = modalityTokens(usage.candidatesTokensDetails, 'IMAGE') ?? 0;
  const prompt = usage.promptTokensDetails;
  return {
    promptTokens,
    completionTokens,
    totalTokens: usage.totalTokenCount ?? promptTokens + completionTokens,
    ...(imageTokens > 0 ? { imageTokens } : {}),
    ...(thoughts > 0 ? { reasoningTokens: thoughts } : {}),
    ...(prompt ? promptDetails(modalityTokens(prompt, 'TEXT') ?? 0, modalityTokens(prompt, 'IMAGE')) : {}),
    ...promptDetails(undefined, undefined, usage.cachedContentTokenCount),
  };
}

/** The tokens of one modality in Gemini's per-modality counts; undefined when it is not listed. */
function modalityTokens(details: GeminiUsage['promptTokensDetails'], modality: string): number | undefined {
  const listed = (details ?? []).filter((detail) => detail.modality === modality);
  return listed.length === 0 ? undefined : listed.reduce((sum, detail) => sum + (detail.tokenCount ?? 0), 0);
}

/**
 * Reads one Gemini answer, whole or chunk by chunk, into gateway events.
 * Thought parts become reasoning, thought draft images are held back (the
 * last one is the fallback when nothing else arrives), and when an image is
 * wanted the text waits for it so that a text-only refusal becomes a clean
 * error instead of a half-sent answer.
 *
 * @example
 * const reader = new GeminiTurnReader({ provider: 'gemini', url, wantsImage: true, imageRequired: true });
 * for (const chunk of chunks) yield* reader.read(chunk);
 * const { events, summary } = reader.end();
 */
export class GeminiTurnReader {
  #pendingText: string[] = [];
  #imageSeen = false;
  #lastThoughtImage: ImageData | undefined;
  #usage: GeminiUsage | undefined;
  #finishReason: string | undefined;
  #finishMessage: string | undefined;

  constructor(private readonly options: GeminiTurnReaderOptions) {}

  /** Events for one `GenerateContentResponse`; throws for blocks and mid-stream errors. */
  read(chunk: unknown): GenerationEvent[] {
    const parsed = geminiResponseSchema.safeParse(chunk);
    if (!parsed.success) {
      throw geminiAnswerError({ ...this.options, kind: 'server', message: 'Gemini answered with an unreadable response' });
    }
    const response: GeminiResponse = parsed.data;
    if (response.error) {
      const httpStatus = response.error.code ?? 500;
      throw geminiStatusError({ ...this.options, status: response.error, httpStatus, midStream: true });
    }
    if (response.usageMetadata) this.#usage = response.usageMetadata;
    const blockReason = response.promptFeedback?.blockReason;
    if (blockReason) {
      throw geminiAnswerError({ ...this.options, kind: 'content_filter', message: `Gemini blocked the prompt (${blockReason})` });
    }
    const events: GenerationEvent[] = [];
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.inlineData) {
        const image = imageFromInlineData(part.inlineData.data);
        if (part.thought) {
          // A draft the model thought with; one that is no raster image is simply not kept.
          if (image) this.#lastThoughtImage = image;
          continue;
        }
        if (!image) {
          const declared = String(part.inlineData.mimeType ?? 'no mimeType').slice(0, 40);
          throw geminiAnswerError({
            ...this.options,
            kind: 'no_image',
            message: `Gemini answered with inline data (${declared}) that is not a PNG, JPEG, GIF or WebP image`,
          });
        }
        this.#imageSeen = true;
        events.push(...this.#flushText(), { type: 'image', image });
      } else if (part.text) {
        if (part.thought) events.push({ type: 'reasoning-delta', text: part.text });
        else if (this.options.wantsImage && !this.#imageSeen) this.#pendingText.push(part.text);
        else events.push({ type: 'text-delta', text: part.text });
      }
    }
    if (candidate?.finishReason) this.#finishReason = candidate.finishReason;
    if (candidate?.finishMessage) this.#finishMessage = candidate.finishMessage;
    return events;
  }

  /** Closing events (held text, fallback image); throws when an image was required and none came. */
  end(): { events: GenerationEvent[]; summary: GeminiTurnSummary } {
    const events: GenerationEvent[] = [];
    if (this.options.wantsImage && !this.#imageSeen) {
      if (this.#lastThoughtImage && kindForFinishReason(this.#finishReason) !== 'content_filter') {
        this.#imageSeen = true;
        events.push({ type: 'image', image: this.#lastThoughtImage });
      } else if (this.options.imageRequired) {
        throw this.#noImageError();
      }
    }
    events.push(...this.#flushText());
    const finishReason: FinishReason =
      this.#finishReason === 'MAX_TOKENS'
        ? 'length'
        : this.#finishReason && this.#finishReason !== 'STOP' && kindForFinishReason(this.#finishReason) === 'content_filter'
          ? 'content_filter'
          : 'stop';
    const usage = this.#usage ? geminiUsage(this.#usage) : undefined;
    return { events, summary: { usage, finishReason } };
  }

  #flushText(): GenerationEvent[] {
    const text = this.#pendingText.join('');
    this.#pendingText = [];
    return text ? [{ type: 'text-delta', text }] : [];
  }

  #noImageError() {
    if (!this.#finishReason) {
      return geminiAnswerError({ ...this.options, kind: 'server', message: 'Gemini answer ended before it finished (no finishReason)' });
    }
    const reason = this.#finishReason;
    const kind = kindForFinishReason(this.#finishReason);
    const said = this.#finishMessage ?? this.#pendingText.join('').trim();
    const hint = this.#finishReason === 'MAX_TOKENS' ? ' (max_tokens too small for an image?)' : '';
    const message = `Gemini returned no image (${reason})${hint}${said ? `: ${upstreamExcerpt(said)}` : ''}`;
    return geminiAnswerError({ ...this.options, kind, message });
  }
}
