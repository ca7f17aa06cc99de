/**
 * FHIR search escaping: `\,` `\$` `\|` and `\\` stand for the literal characters
 * (FHIR search, "Escaping Search Parameters").
 */
export function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1]!;
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

export function unescapeValue(text: string): string {
  return text.replace(/\\([\\,$|])/g, '$1');
}
