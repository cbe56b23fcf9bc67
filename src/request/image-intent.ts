const drawVerbs =
  /\b(generate|draw|paint|sketch|render|illustrate|imagine|design|create|make|produce|show me|picture of|photo of|image of)\b/i;
const imageNouns =
  /\b(image|picture|photo|photograph|illustration|drawing|painting|sketch|logo|icon|wallpaper|poster|portrait|landscape|art|artwork|render|scene|cat|dog)\b/i;
const editVerbs =
  /\b(make it|make this|turn it|turn this|change|convert|edit|brighten|brighter|darker|darken|blur|sharpen|rotate|flip|mirror|invert|crop|tint|saturate|vibrant|grayscale|greyscale|black and white|colou?r|remove|add|replace|enhance|restyle)\b/i;

/**
 * Whether plain text asks for a picture ("generate a cat", "draw a logo").
 * Only consulted when nothing explicit (`modalities`, an image-only model)
 * decides it, so a model that both chats and draws knows which to do.
 */
export function textAsksForImage(text: string): boolean {
  return drawVerbs.test(text) && (imageNouns.test(text) || /\b(generate|draw|paint|sketch|render|illustrate)\b/i.test(text));
}

/** Whether text reads as an instruction to change an existing picture ("make it brighter"). */
export function textAsksForEdit(text: string): boolean {
  return editVerbs.test(text);
}
